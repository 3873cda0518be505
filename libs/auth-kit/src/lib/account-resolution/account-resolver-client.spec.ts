import { AccountResolverClient, AccountResolverError } from './account-resolver-client';

type Answer = { status: number; body: unknown; contentType?: string } | 'hang' | Error;

function fakeAuth(answer: () => Answer) {
  const calls: { url: string; method?: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: init.method,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)),
    });
    const a = answer();
    if (a instanceof Error) throw a;
    if (a === 'hang') {
      // Never answers: only the client's deadline (its abort signal) ends the call.
      return new Promise<Response>((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    }
    return new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), {
      status: a.status,
      headers: { 'content-type': a.contentType ?? 'application/json' },
    });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

const BOB = 'acc_0b7c6d1e-8a44-4e6b-9d3c-2f1e0a9b8c7d';
const CAROL = 'acc_5f4e3d2c-1b0a-4987-8654-3210fedcba98';
const names = ['bob', CAROL, 'ghost'];
const answer = {
  accounts: [
    { name: 'bob', id: BOB, username: 'bob', displayName: 'Bob' },
    { name: CAROL, id: CAROL, username: 'carol', displayName: 'Carol' },
  ],
  unknown: ['ghost'],
};

const problem = (status: number, code: string) => ({
  status,
  contentType: 'application/problem+json',
  body: { type: `https://hoot.mx/problems/${code}`, title: 'x', status, detail: 'why', code },
});

describe('AccountResolverClient', () => {
  const clientWith = (fetchImpl: typeof fetch, timeoutMs?: number) =>
    new AccountResolverClient({
      authUrl: 'http://auth:3100/',
      authorization: async () => 'Bearer reg-token',
      fetch: fetchImpl,
      timeoutMs,
    });

  it('posts the names with the registry credentials and maps each resolved name to its account id', async () => {
    const auth = fakeAuth(() => ({ status: 200, body: answer }));
    const resolved = await clientWith(auth.fetchImpl).resolve(names);
    expect(resolved.ids).toEqual(
      new Map([
        ['bob', BOB],
        [CAROL, CAROL],
      ]),
    );
    expect(resolved.unknown).toEqual(['ghost']);
    expect(resolved.usernames).toEqual(
      new Map([
        [BOB, 'bob'],
        [CAROL, 'carol'],
      ]),
    );
    expect(auth.calls).toEqual([
      {
        url: 'http://auth:3100/internal/v1/accounts/resolve',
        method: 'POST',
        headers: expect.objectContaining({
          authorization: 'Bearer reg-token',
          'content-type': 'application/json',
        }),
        body: { names },
      },
    ]);
  });

  it('answers an empty list itself, without calling auth', async () => {
    const auth = fakeAuth(() => ({ status: 200, body: answer }));
    await expect(clientWith(auth.fetchImpl).resolve([])).resolves.toEqual({
      ids: new Map(),
      unknown: [],
      usernames: new Map(),
    });
    expect(auth.calls).toEqual([]);
  });

  it.each([
    [403, 'auth.forbidden'],
    [400, 'request.invalid'],
    [401, 'token.expired'],
  ])('maps a %d %s problem to a refused AccountResolverError with status and code', async (status, code) => {
    const auth = fakeAuth(() => problem(status, code));
    const error = await clientWith(auth.fetchImpl)
      .resolve(names)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountResolverError);
    expect(error).toMatchObject({ failure: 'refused', status, code, unavailable: false });
    expect((error as Error).message).toContain(code);
  });

  it('reports a refusal without a problem body with its status only', async () => {
    const auth = fakeAuth(() => ({
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    }));
    await expect(clientWith(auth.fetchImpl).resolve(names)).rejects.toMatchObject({
      failure: 'refused',
      status: 502,
      code: undefined,
    });
  });

  it('reports a timeout as its own failure when auth does not answer in time', async () => {
    const auth = fakeAuth(() => 'hang');
    const error = await clientWith(auth.fetchImpl, 5)
      .resolve(names)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountResolverError);
    expect(error).toMatchObject({
      failure: 'timeout',
      status: undefined,
      code: undefined,
      unavailable: true,
    });
  });

  it('reports an unreachable auth service as its own failure', async () => {
    const auth = fakeAuth(() => new TypeError('fetch failed'));
    await expect(clientWith(auth.fetchImpl).resolve(names)).rejects.toMatchObject({
      name: 'AccountResolverError',
      failure: 'unreachable',
      status: undefined,
      unavailable: true,
    });
  });

  it.each([
    ['no accounts', { unknown: [] }],
    ['no unknown', { accounts: [] }],
    ['an account without an id', { accounts: [{ name: 'bob' }], unknown: [] }],
    ['a non-string unknown name', { accounts: [], unknown: [42] }],
    ['not JSON', 'ok'],
  ])('refuses a success with %s', async (_what, body) => {
    const auth = fakeAuth(() => ({ status: 200, body }));
    await expect(clientWith(auth.fetchImpl).resolve(names)).rejects.toMatchObject({
      name: 'AccountResolverError',
      failure: 'invalid-response',
      status: 200,
    });
  });

  it('lets a failure to get its own credentials through unchanged, without calling auth', async () => {
    const auth = fakeAuth(() => ({ status: 200, body: answer }));
    const broken = new Error('api key refused');
    const client = new AccountResolverClient({
      authUrl: 'http://auth',
      authorization: async () => {
        throw broken;
      },
      fetch: auth.fetchImpl,
    });
    await expect(client.resolve(names)).rejects.toBe(broken);
    expect(auth.calls).toEqual([]);
  });
});
