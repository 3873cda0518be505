import { describeError } from '../lib/error-messages';
import { h } from './dom';
import { icon } from './icons';

/** Toasts in the corner: errors (with their code as `data-code`) and short confirmations. */
export class Toasts {
  private readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = h('div', { class: 'toasts', 'aria-live': 'polite', 'data-testid': 'toasts' });
    parent.appendChild(this.root);
  }

  error(error: unknown): void {
    const human = describeError(error);
    this.show('error', human.title, human.message, human.code);
  }

  info(title: string, message = '', code = 'info'): void {
    this.show('info', title, message, code);
  }

  success(title: string, message = ''): void {
    this.show('success', title, message, 'success');
  }

  private show(kind: 'error' | 'info' | 'success', title: string, message: string, code: string): void {
    const toast = h(
      'div',
      {
        class: `toast toast-${kind}`,
        role: kind === 'error' ? 'alert' : 'status',
        'data-testid': 'toast',
        'data-code': code,
      },
      icon(kind === 'error' ? 'alert' : kind === 'success' ? 'check' : 'info'),
      h('div', { class: 'toast-body' }, h('strong', {}, title), message ? h('span', {}, message) : null),
      h(
        'button',
        { class: 'icon-button', 'aria-label': 'Dismiss', onclick: () => toast.remove() },
        icon('close'),
      ),
    );
    this.root.appendChild(toast);
    while (this.root.children.length > 4) this.root.firstElementChild?.remove();
    setTimeout(() => toast.remove(), kind === 'error' ? 9000 : 4000);
  }
}
