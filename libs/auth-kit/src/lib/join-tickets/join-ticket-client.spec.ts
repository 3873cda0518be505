import { JoinTicketClient, JoinTicketError } from './join-ticket-client';

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

const request = {
  coremxId: 'cmx-1',
  subject: 'acc_1',
  conferenceId: 'standup-42',
  displayName: 'Alice',
  role: 'publisher' as const,
  ttlSeconds: 60,
};

const problem = (status: number, code: string) => ({
  status,
  contentType: 'application/problem+json',
  body: { type: `https://hoot.mx/problems/${code}`, title: 'x', status, detail: 'why', code },
});

describe('JoinTicketClient', () => {
  const clientWith = (fetchImpl: typeof fetch, timeoutMs?: number) =>
    new JoinTicketClient({
      authUrl: 'http://auth:3100/',
      authorization: async () => 'Bearer reg-token',
      fetch: fetchImpl,
      timeoutMs,
    });

  it('posts the request with the registry credentials and returns the ticket', async () => {
    const issued = { ticket: 'a.b.c', ticketId: 't-1', expiresAt: '2026-01-01T12:02:00.000Z' };
    const auth = fakeAuth(() => ({ status: 201, body: issued }));
    await expect(clientWith(auth.fetchImpl).issue(request)).resolves.toEqual(issued);
    expect(auth.calls).toEqual([
      {
        url: 'http://auth:3100/internal/v1/join-tickets',
        method: 'POST',
        headers: expect.objectContaining({
          authorization: 'Bearer reg-token',
          'content-type': 'application/json',
        }),
        body: request,
      },
    ]);
  });

  it.each([
    [403, 'auth.forbidden'],
    [400, 'request.invalid'],
    [401, 'token.expired'],
  ])('maps a %d %s problem to a refused JoinTicketError with status and code', async (status, code) => {
    const auth = fakeAuth(() => problem(status, code));
    const error = await clientWith(auth.fetchImpl)
      .issue(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinTicketError);
    expect(error).toMatchObject({ failure: 'refused', status, code, unavailable: false });
    expect((error as Error).message).toContain(code);
  });

  it('reports a refusal without a problem body with its status only', async () => {
    const auth = fakeAuth(() => ({
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    }));
    await expect(clientWith(auth.fetchImpl).issue(request)).rejects.toMatchObject({
      failure: 'refused',
      status: 502,
      code: undefined,
    });
  });

  it('reports a timeout as its own failure when auth does not answer in time', async () => {
    const auth = fakeAuth(() => 'hang');
    const error = await clientWith(auth.fetchImpl, 5)
      .issue(request)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JoinTicketError);
    expect(error).toMatchObject({
      failure: 'timeout',
      status: undefined,
      code: undefined,
      unavailable: true,
    });
  });

  it('reports an unreachable auth service as its own failure', async () => {
    const auth = fakeAuth(() => new TypeError('fetch failed'));
    await expect(clientWith(auth.fetchImpl).issue(request)).rejects.toMatchObject({
      name: 'JoinTicketError',
      failure: 'unreachable',
      status: undefined,
      unavailable: true,
    });
  });

  it('refuses a success without a ticket', async () => {
    const auth = fakeAuth(() => ({ status: 201, body: { ticketId: 't-1' } }));
    await expect(clientWith(auth.fetchImpl).issue(request)).rejects.toMatchObject({
      failure: 'invalid-response',
      status: 201,
    });
  });

  it('lets a failure to get its own credentials through unchanged, without calling auth', async () => {
    const auth = fakeAuth(() => ({ status: 201, body: {} }));
    const broken = new Error('api key refused');
    const client = new JoinTicketClient({
      authUrl: 'http://auth',
      authorization: async () => {
        throw broken;
      },
      fetch: auth.fetchImpl,
    });
    await expect(client.issue(request)).rejects.toBe(broken);
    expect(auth.calls).toEqual([]);
  });
});
