import { ROOM_TYPES, type RoomType } from '@hoot/domain';
import type { Conference } from '@hoot/sdk';
import type { AppContext, Screen } from '../app-context';
import { describeError } from '../lib/error-messages';
import { ROOM_TYPE_HELP } from '../lib/room-view-model';
import { parseJoinInput, roomPath } from '../lib/routes';
import { copyText, h, replace } from '../ui/dom';
import { icon } from '../ui/icons';

/** Home: create a conference, my conferences, join by address. */
export function homeScreen(ctx: AppContext): Screen {
  ctx.setPageTitle('Home');
  const conferencesList = h('ul', { class: 'list', 'data-testid': 'conference-list' });
  const root = h(
    'section',
    { class: 'screen screen-home', 'data-testid': 'screen-home' },
    h(
      'div',
      { class: 'home-hero' },
      h('h1', {}, `Hello, ${ctx.user()?.name || ctx.user()?.username || 'there'}`),
      h('p', { class: 'muted' }, 'Start a conference, or join one with its address.'),
    ),
    h('div', { class: 'home-grid' }, createCard(), h('div', { class: 'stack' }, joinCard(), listCard())),
  );
  void refresh();

  function createCard(): HTMLElement {
    const id = h('input', {
      id: 'create-id',
      placeholder: 'e.g. standup (optional)',
      autocomplete: 'off',
      'data-testid': 'create-id',
    });
    const type = h(
      'select',
      { id: 'create-type', 'data-testid': 'create-type' },
      ROOM_TYPES.map((t) => h('option', { value: t }, typeLabel(t))),
    );
    const help = h('p', { class: 'hint', 'data-testid': 'create-type-help' }, ROOM_TYPE_HELP.m2m);
    type.addEventListener('change', () => (help.textContent = ROOM_TYPE_HELP[type.value as RoomType]));
    const allowed = h('input', {
      id: 'create-allowed',
      placeholder: 'usernames, comma separated',
      autocomplete: 'off',
      'data-testid': 'create-allowed',
    });
    const isPublic = h('input', {
      id: 'create-public',
      type: 'checkbox',
      role: 'switch',
      'data-testid': 'create-public',
    });
    const submit = h(
      'button',
      { class: 'btn btn-primary', type: 'submit', 'data-testid': 'create-submit' },
      icon('plus'),
      'Create conference',
    );
    const problem = h('div', {
      class: 'form-problem',
      hidden: true,
      role: 'alert',
      'data-testid': 'create-error',
    });
    const result = h('div', { class: 'result', hidden: true, 'data-testid': 'create-result' });

    const form = h(
      'form',
      {
        class: 'card',
        novalidate: true,
        'data-testid': 'create-form',
        onsubmit: async (event: Event) => {
          event.preventDefault();
          problem.hidden = true;
          submit.disabled = true;
          try {
            const { conference, created } = await ctx.client.createConference({
              ...(id.value.trim() ? { id: id.value.trim() } : {}),
              type: type.value as RoomType,
              allowed: allowed.value
                .split(/[\s,;]+/)
                .map((s) => s.trim())
                .filter(Boolean),
              public: isPublic.checked,
            });
            showResult(conference, created);
            void refresh();
          } catch (error) {
            const human = describeError(error);
            problem.setAttribute('data-code', human.code);
            replace(problem, icon('alert'), h('span', {}, human.message));
            problem.hidden = false;
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('h2', {}, icon('plus'), 'New conference'),
      h('label', { for: 'create-id' }, 'Conference id'),
      id,
      h('label', { for: 'create-type' }, 'Type'),
      type,
      help,
      h('label', { for: 'create-allowed' }, 'Who may join'),
      allowed,
      h(
        'label',
        { class: 'switch' },
        isPublic,
        h('span', { class: 'switch-track' }),
        h('span', {}, 'Public: anyone signed in may join'),
      ),
      problem,
      h('div', { class: 'actions' }, submit),
      result,
    );

    function showResult(conference: Conference, created: boolean): void {
      const copy = h(
        'button',
        {
          class: 'btn btn-ghost',
          type: 'button',
          'data-testid': 'copy-address',
          onclick: async () => {
            if (await copyText(conference.address)) {
              copy.classList.add('done');
              ctx.toasts.success('Address copied');
            }
          },
        },
        icon('copy'),
        'Copy',
      );
      replace(
        result,
        h(
          'p',
          { class: 'result-title' },
          icon('check'),
          created ? 'Conference created' : 'You already have this conference',
        ),
        h(
          'div',
          { class: 'address-row' },
          h('code', { class: 'address', 'data-testid': 'created-address' }, conference.address),
          copy,
        ),
        h(
          'button',
          {
            class: 'btn btn-primary',
            type: 'button',
            'data-testid': 'open-room',
            onclick: () => ctx.navigate(roomPath(conference.id, conference.address)),
          },
          icon('enter'),
          'Open room',
        ),
      );
      result.hidden = false;
    }
    return form;
  }

  function joinCard(): HTMLElement {
    const field = h('input', {
      id: 'join-address',
      placeholder: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
      autocomplete: 'off',
      spellcheck: 'false',
      'data-testid': 'join-address',
    });
    const problem = h('div', {
      class: 'form-problem',
      hidden: true,
      role: 'alert',
      'data-testid': 'join-error',
    });
    return h(
      'form',
      {
        class: 'card',
        novalidate: true,
        onsubmit: (event: Event) => {
          event.preventDefault();
          const input = parseJoinInput(field.value);
          if (!input.ok) {
            problem.setAttribute('data-code', 'conference.address-invalid');
            replace(problem, icon('alert'), h('span', {}, input.reason));
            problem.hidden = false;
            return;
          }
          problem.hidden = true;
          if (input.direct) {
            const fragment = new URLSearchParams({
              ticket: input.direct.ticket,
              signal: input.direct.signalingUrl,
              ...(input.address ? { address: input.address } : {}),
            });
            ctx.navigate(`/join/${encodeURIComponent(input.conferenceId)}#${fragment.toString()}`);
          } else {
            ctx.navigate(roomPath(input.conferenceId, input.address));
          }
        },
      },
      h('h2', {}, icon('enter'), 'Join a conference'),
      h('label', { for: 'join-address' }, 'Address or join link'),
      h(
        'div',
        { class: 'inline-field' },
        field,
        h('button', { class: 'btn btn-primary', type: 'submit', 'data-testid': 'join-submit' }, 'Join'),
      ),
      problem,
    );
  }

  function listCard(): HTMLElement {
    return h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'card-head' },
        h('h2', {}, icon('users'), 'My conferences'),
        h(
          'button',
          {
            class: 'icon-button',
            title: 'Refresh',
            'aria-label': 'Refresh',
            'data-testid': 'conference-refresh',
            onclick: () => void refresh(),
          },
          icon('refresh'),
        ),
      ),
      conferencesList,
    );
  }

  async function refresh(): Promise<void> {
    try {
      const page = await ctx.client.listConferences({ limit: 50 });
      const items = page.items
        .filter((c) => c.status !== 'ended')
        .concat(page.items.filter((c) => c.status === 'ended'));
      if (items.length === 0) {
        replace(
          conferencesList,
          h('li', { class: 'empty' }, 'No conferences yet. Create one to get started.'),
        );
        return;
      }
      replace(conferencesList, items.map(conferenceItem));
    } catch (error) {
      if (describeError(error).signInAgain) {
        ctx.sessionExpired(error);
        return;
      }
      replace(conferencesList, h('li', { class: 'empty' }, describeError(error).message));
    }
  }

  function endButton(c: Conference): HTMLElement {
    return endButtonFor(ctx, c, () => void refresh());
  }

  function conferenceItem(c: Conference): HTMLElement {
    const ended = c.status === 'ended';
    return h(
      'li',
      {
        class: `list-item${ended ? ' ended' : ''}`,
        'data-testid': 'conference-item',
        'data-conference-id': c.id,
        'data-status': c.status,
      },
      h(
        'div',
        { class: 'list-main' },
        h(
          'div',
          { class: 'list-title' },
          h('strong', {}, c.id),
          h('span', { class: `badge badge-${c.type}` }, c.type),
          h('span', { class: `status status-${c.status}` }, c.status),
          c.public
            ? h('span', { class: 'badge', title: 'Public' }, icon('globe'))
            : h('span', { class: 'badge', title: 'Invite only' }, icon('lock')),
        ),
        h('code', { class: 'address small' }, c.address),
      ),
      ended
        ? null
        : h(
            'div',
            { class: 'list-actions' },
            h(
              'button',
              {
                class: 'btn btn-small',
                'data-testid': 'conference-open',
                onclick: () => ctx.navigate(roomPath(c.id, c.address)),
              },
              icon('enter'),
              'Open',
            ),
            endButton(c),
          ),
    );
  }

  return { element: root };
}

/** End, confirmed by a second click within a few seconds (no blocking dialog). */
function endButtonFor(ctx: AppContext, c: Conference, done: () => void): HTMLElement {
  let armed: ReturnType<typeof setTimeout> | undefined;
  const label = h('span', {}, 'End');
  const button = h(
    'button',
    {
      class: 'btn btn-small btn-danger-ghost',
      title: `End ${c.id} for everyone`,
      'data-testid': 'conference-end',
      onclick: async () => {
        if (!armed) {
          label.textContent = 'Confirm end';
          button.classList.add('armed');
          armed = setTimeout(() => {
            armed = undefined;
            label.textContent = 'End';
            button.classList.remove('armed');
          }, 4000);
          return;
        }
        clearTimeout(armed);
        button.disabled = true;
        try {
          await ctx.client.endConference(c.id);
          ctx.toasts.success('Conference ended', c.id);
          done();
        } catch (error) {
          ctx.toasts.error(error);
          button.disabled = false;
        }
      },
    },
    icon('trash'),
    label,
  );
  return button;
}

function typeLabel(t: RoomType): string {
  return {
    m2m: 'Group video (m2m)',
    a2m: 'Audio only (a2m)',
    p2m: 'Live broadcast (p2m)',
    p2p: 'One-to-one call (p2p)',
  }[t];
}
