import { booleanOption, stringOption } from '../args/arg-parser';
import type { CommandSpec } from '../cli.context';
import { usageError } from '../errors/cli.error';
import { readLine, readSecret } from '../output/terminal';

export const loginCommand: CommandSpec = {
  path: ['login'],
  summary: 'sign in at the registry and keep the token',
  usage: 'login [--username USER] [--password-stdin]',
  operands: [],
  options: [
    {
      name: 'username',
      short: 'u',
      type: 'string',
      valueName: 'USER',
      description: 'who signs in (asked on a terminal)',
    },
    { name: 'password-stdin', type: 'boolean', description: 'read the password from stdin (first line)' },
  ],
  details:
    'The token and the registry URLs are kept in $HOOT_CONFIG_DIR/credentials.json (default\n' +
    '~/.config/hoot/credentials.json), readable by you only (0600). The password is never stored.',
  examples: [
    'hoot login --registry http://127.0.0.1:3201 --username alice',
    'printf \'%s\' "$PW" | hoot login -u alice --password-stdin',
  ],
  async run(ctx) {
    const fromStdin = booleanOption(ctx.args, 'password-stdin');
    let username = stringOption(ctx.args, 'username');
    if (username === undefined && !fromStdin) username = await readLine(ctx.deps.io, 'Username: ');
    if (!username) throw usageError('--username is required when there is no terminal to ask');
    const password = await readSecret(ctx.deps.io, fromStdin, 'Password: ');
    if (password === undefined) {
      throw usageError('no terminal to ask for the password', 'pass it on stdin with --password-stdin');
    }
    if (password.length === 0) throw usageError('the password is empty');
    const registryUrls = await ctx.registryUrls();
    const client = await ctx.anonymousClient();
    const { accessToken, expiresIn } = await ctx.progress('signing in…', client.signIn(username, password));
    const expiresAt = new Date(ctx.deps.now() + expiresIn * 1000).toISOString();
    ctx.store.write({ username, registryUrls, accessToken, expiresAt });
    if (ctx.format === 'json') {
      ctx.printJson({ username, registryUrls, expiresAt, credentialsFile: ctx.store.path });
      return;
    }
    ctx.print(`Logged in as ${username} at ${registryUrls.join(', ')} (token valid until ${expiresAt}).\n`);
  },
};

export const logoutCommand: CommandSpec = {
  path: ['logout'],
  summary: 'forget the stored token',
  usage: 'logout',
  operands: [],
  options: [],
  examples: ['hoot logout'],
  async run(ctx) {
    const removed = ctx.store.remove();
    if (ctx.format === 'json') {
      ctx.printJson({ removed, credentialsFile: ctx.store.path });
      return;
    }
    ctx.print(removed ? `Logged out (removed ${ctx.store.path}).\n` : 'Not logged in.\n');
  },
};
