import type { RoomSession } from '@hoot/sdk';
import type { RoomModel } from '../lib/room-view-model';
import { DrawnParts } from '../ui/drawn-parts';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';
import type { Toasts } from '../ui/toasts';

/**
 * The chat card: the room's messages (its children), kept scrolled to the bottom when it was there, and
 * the form that sends one (`RoomSession.chat`; a failure is a toast). Redrawn only when the lines change.
 */
export function chatCard(deps: { session(): RoomSession | undefined; toasts: Toasts }): {
  element: HTMLElement;
  render(m: RoomModel): void;
} {
  const chatList = h('ol', { class: 'chat-list', 'data-testid': 'chat-list' });
  const chatInput = h('input', {
    class: 'chat-input',
    placeholder: 'Message everyone',
    maxlength: 2000,
    'data-testid': 'chat-input',
    'aria-label': 'Message',
  });
  const drawn = new DrawnParts();
  const element = h(
    'section',
    { class: 'chat card', 'data-testid': 'chat' },
    h('h2', {}, icon('chat'), 'Chat'),
    chatList,
    h(
      'form',
      {
        class: 'chat-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          const text = chatInput.value.trim();
          const session = deps.session();
          if (!text || !session) return;
          chatInput.value = '';
          session.chat(text).catch((error: unknown) => deps.toasts.error(error));
        },
      },
      chatInput,
      h(
        'button',
        {
          class: 'icon-button primary',
          type: 'submit',
          'aria-label': 'Send',
          'data-testid': 'chat-send',
        },
        icon('send'),
      ),
    ),
  );

  function render(m: RoomModel): void {
    if (drawn.unchanged('chat', m.chat)) return;
    const atBottom = chatList.scrollTop + chatList.clientHeight >= chatList.scrollHeight - 8;
    replace(
      chatList,
      m.chat.length === 0
        ? h('li', { class: 'empty' }, 'No messages yet.')
        : m.chat.map((line) =>
            h(
              'li',
              { class: `chat-line${line.mine ? ' mine' : ''}`, 'data-testid': 'chat-message' },
              h('div', { class: 'chat-meta' }, h('strong', {}, line.author), h('time', {}, line.time)),
              h('p', {}, line.text),
            ),
          ),
    );
    if (atBottom) chatList.scrollTop = chatList.scrollHeight;
  }

  return { element, render };
}
