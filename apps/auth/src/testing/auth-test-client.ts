import type { AuthTestApp } from './auth-test-app';
import { ADMIN_KEY } from './auth-test-app';

let address = 0;
/** A fresh client address per call, so tests do not share the per-address rate limit unless they mean to. */
export const nextAddress = () => `10.0.${Math.floor(++address / 250)}.${(address % 250) + 1}`;

export function client(t: AuthTestApp) {
  const request = (
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
    remoteAddress = nextAddress(),
  ) =>
    t.app.inject({
      method,
      url,
      remoteAddress,
      headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
      payload:
        payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  return {
    request,
    admin,
    async createUser(username: string, extra: Record<string, unknown> = {}) {
      const res = await request(
        'POST',
        '/v1/admin/accounts',
        { username, displayName: `User ${username}`, password: 'correct horse battery', ...extra },
        admin,
      );
      if (res.statusCode !== 201) throw new Error(`create ${username}: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; username: string };
    },
    async createService(username: string) {
      const res = await request(
        'POST',
        '/v1/admin/accounts',
        { username, displayName: username, kind: 'service' },
        admin,
      );
      if (res.statusCode !== 201) throw new Error(`create ${username}: ${res.statusCode} ${res.body}`);
      const account = res.json() as { id: string };
      const key = await request('POST', `/v1/admin/accounts/${account.id}/api-keys`, { name: 'main' }, admin);
      return { ...account, apiKey: (key.json() as { apiKey: string }).apiKey };
    },
    async login(username: string, password = 'correct horse battery'): Promise<string> {
      const res = await request('POST', '/v1/tokens', { grant_type: 'password', username, password });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return (res.json() as { access_token: string }).access_token;
    },
    async serviceToken(apiKey: string): Promise<string> {
      const res = await request('POST', '/v1/tokens', { grant_type: 'api_key', api_key: apiKey });
      if (res.statusCode !== 200) throw new Error(`api key grant: ${res.statusCode} ${res.body}`);
      return (res.json() as { access_token: string }).access_token;
    },
  };
}
