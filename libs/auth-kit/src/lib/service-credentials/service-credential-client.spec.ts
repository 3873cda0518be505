import { FakeClock } from '@hoot/testing';
import { ServiceCredentialClient, ServiceCredentialError } from './service-credential-client';

function fakeTokens(status = 200) {
  let issued = 0;
  const bodies: unknown[] = [];
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(String(init.body)));
    issued += 1;
    return new Response(
      JSON.stringify({ access_token: `svc-${issued}`, token_type: 'Bearer', expires_in: 600 }),
      { status },
    );
  }) as unknown as typeof fetch;
  return { fetchImpl, bodies, issued: () => issued };
}

describe('ServiceCredentialClient', () => {
  it('exchanges the API key once and reuses the token', async () => {
    const clock = new FakeClock();
    const auth = fakeTokens();
    const client = new ServiceCredentialClient({
      authUrl: 'http://auth',
      apiKey: 'hk_secret',
      clock,
      fetch: auth.fetchImpl,
    });
    await expect(client.authorization()).resolves.toBe('Bearer svc-1');
    await expect(client.token()).resolves.toBe('svc-1');
    expect(auth.bodies).toEqual([{ grant_type: 'api_key', api_key: 'hk_secret' }]);
  });

  it('renews once 80% of the lifetime has passed', async () => {
    const clock = new FakeClock();
    const auth = fakeTokens();
    const client = new ServiceCredentialClient({
      authUrl: 'http://auth',
      apiKey: 'k',
      clock,
      fetch: auth.fetchImpl,
    });
    await client.token();
    clock.advance(479_000);
    await expect(client.token()).resolves.toBe('svc-1');
    clock.advance(1_000);
    await expect(client.token()).resolves.toBe('svc-2');
  });

  it('shares one exchange between concurrent callers', async () => {
    const auth = fakeTokens();
    const client = new ServiceCredentialClient({
      authUrl: 'http://auth',
      apiKey: 'k',
      fetch: auth.fetchImpl,
    });
    await Promise.all([client.token(), client.token(), client.token()]);
    expect(auth.issued()).toBe(1);
  });

  it('fails clearly when the key is refused', async () => {
    const auth = fakeTokens(401);
    const client = new ServiceCredentialClient({
      authUrl: 'http://auth',
      apiKey: 'k',
      fetch: auth.fetchImpl,
    });
    await expect(client.token()).rejects.toBeInstanceOf(ServiceCredentialError);
  });
});
