import type { AppContext, Screen } from '../app-context';
import { describeError } from '../lib/error-messages';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';

/** Username and password → `POST /v1/auth/token` at this registry; the token goes to sessionStorage. */
export function signInScreen(
  ctx: AppContext,
  options: { reason?: string; notice?: { code: string; message: string } } = {},
): Screen {
  const username = h('input', {
    id: 'signin-username',
    name: 'username',
    autocomplete: 'username',
    required: true,
    autofocus: true,
    'data-testid': 'signin-username',
  });
  const password = h('input', {
    id: 'signin-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'signin-password',
  });
  const submit = h(
    'button',
    { class: 'btn btn-primary btn-block', type: 'submit', 'data-testid': 'signin-submit' },
    icon('enter'),
    'Sign in',
  );
  const problem = h('div', {
    class: 'form-problem',
    hidden: true,
    role: 'alert',
    'data-testid': 'signin-error',
  });

  const form = h(
    'form',
    {
      class: 'card auth-card',
      novalidate: true,
      onsubmit: async (event: Event) => {
        event.preventDefault();
        problem.hidden = true;
        if (!username.value.trim() || !password.value) {
          showProblem('request.invalid', 'Enter your username and password.');
          return;
        }
        submit.disabled = true;
        submit.classList.add('busy');
        try {
          const result = await ctx.client.signIn(username.value.trim(), password.value);
          password.value = '';
          ctx.toasts.success('Signed in');
          // Keeping the token re-renders the current route (home, or the room that asked for sign-in).
          ctx.setToken(result.accessToken);
        } catch (error) {
          const human = describeError(error);
          showProblem(human.code, human.message);
        } finally {
          submit.disabled = false;
          submit.classList.remove('busy');
        }
      },
    },
    h('div', { class: 'auth-brand' }, icon('logo'), h('span', {}, 'hoot')),
    h('h1', {}, 'Sign in'),
    options.notice
      ? h(
          'div',
          {
            class: 'notice',
            role: 'status',
            'data-testid': 'signin-notice',
            'data-code': options.notice.code,
          },
          icon('info'),
          h('span', {}, options.notice.message),
        )
      : null,
    h('p', { class: 'muted' }, options.reason ?? 'Video rooms, calls and broadcasts on your own cloud.'),
    h('label', { for: 'signin-username' }, 'Username'),
    username,
    h('label', { for: 'signin-password' }, 'Password'),
    password,
    problem,
    submit,
    h('p', { class: 'fine-print' }, 'Your session stays in this tab only.'),
  );

  function showProblem(code: string, message: string): void {
    problem.setAttribute('data-code', code);
    replace(problem, icon('alert'), h('span', {}, message));
    problem.hidden = false;
  }

  return { element: h('section', { class: 'screen screen-center', 'data-testid': 'screen-sign-in' }, form) };
}
