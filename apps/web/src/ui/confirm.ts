import { h } from './dom';

export interface ConfirmOptions {
  title: string;
  message: string;
  /** The button that does it ("Remove", "Leave", "End for all"). */
  confirmLabel: string;
}

/**
 * Asks before an action that cannot be taken back (remove someone, leave, end for everyone): a modal
 * `<dialog>` with the action's own words; resolves true only on its confirm button. Escape, the backdrop
 * and Cancel resolve false. One dialog at a time: a second ask while one is open answers false.
 */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  if (document.querySelector('dialog[data-testid="confirm"]')) return Promise.resolve(false);
  return new Promise((resolve) => {
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const dialog = h(
      'dialog',
      { class: 'confirm card', 'data-testid': 'confirm', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, options.title),
      h('p', {}, options.message),
      h(
        'div',
        { class: 'confirm-actions' },
        h(
          'button',
          {
            class: 'btn btn-ghost',
            type: 'button',
            'data-testid': 'confirm-no',
            onclick: () => close(false),
          },
          'Cancel',
        ),
        h(
          'button',
          {
            class: 'btn btn-danger',
            type: 'button',
            'data-testid': 'confirm-yes',
            onclick: () => close(true),
          },
          options.confirmLabel,
        ),
      ),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    dialog.addEventListener('click', (event) => {
      if (event.target === dialog) close(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    (dialog.querySelector('[data-testid="confirm-yes"]') as HTMLButtonElement).focus();
  });
}
