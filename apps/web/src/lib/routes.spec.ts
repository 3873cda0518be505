import { parseFragment, parseJoinInput, parseRoute, roomPath, sameOrigin } from './routes';

const TICKET = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl';
const ADDRESS = 'hoot.mx://standup@coremx-1.c1.hoot.mx';

describe('parseFragment', () => {
  it('decodes pairs as URLSearchParams writes them, first value wins, bad escapes dropped', () => {
    const hash = `#${new URLSearchParams({ ticket: TICKET, signal: 'ws://127.0.0.1:3300/signal', address: ADDRESS }).toString()}`;
    expect(parseFragment(hash)).toEqual({
      ticket: TICKET,
      signal: 'ws://127.0.0.1:3300/signal',
      address: ADDRESS,
    });
    expect(parseFragment('#a=1&a=2&b=x+y&c=%E0%A4%A&flag')).toEqual({ a: '1', b: 'x y', flag: '' });
    expect(parseFragment('')).toEqual({});
  });
});

describe('parseRoute', () => {
  it('reads the join link a registry hands out: ticket, signaling URL and address', () => {
    const hash = `#${new URLSearchParams({ ticket: TICKET, signal: 'wss://coremx-1.c1.hoot.mx/signal', address: ADDRESS })}`;
    expect(parseRoute('/join/standup', hash)).toEqual({
      name: 'room',
      conferenceId: 'standup',
      address: ADDRESS,
      direct: { ticket: TICKET, signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal' },
    });
  });

  it('joins through the registry when the link lacks a usable ticket or signaling URL', () => {
    expect(parseRoute('/join/standup', `#address=${encodeURIComponent(ADDRESS)}`)).toEqual({
      name: 'room',
      conferenceId: 'standup',
      address: ADDRESS,
    });
    expect(parseRoute('/join/standup', `#ticket=${TICKET}&signal=http://evil.example/`)).toEqual({
      name: 'room',
      conferenceId: 'standup',
    });
    expect(parseRoute('/join/standup', '#ticket=not-a-jwt&signal=ws://x/signal')).toEqual({
      name: 'room',
      conferenceId: 'standup',
    });
  });

  it('ignores an address that is invalid or names another conference', () => {
    expect(parseRoute('/room/standup', '#address=hoot.mx://other@coremx-1.c1.hoot.mx')).toEqual({
      name: 'room',
      conferenceId: 'standup',
    });
    expect(parseRoute('/room/standup', '#address=nonsense')).toEqual({
      name: 'room',
      conferenceId: 'standup',
    });
    expect(parseRoute('/room/standup', `#address=${encodeURIComponent(ADDRESS)}`)).toEqual({
      name: 'room',
      conferenceId: 'standup',
      address: ADDRESS,
    });
  });

  it('never takes a ticket from a /room URL (only registry join links carry one)', () => {
    const route = parseRoute('/room/standup', `#ticket=${TICKET}&signal=ws://x/signal`);
    expect(route).toEqual({ name: 'room', conferenceId: 'standup' });
  });

  it.each([
    ['/', { name: 'home' }],
    ['/index.html', { name: 'home' }],
    ['/join/UPPER', { name: 'not-found', path: '/join/UPPER' }],
    ['/join/ab', { name: 'not-found', path: '/join/ab' }],
    ['/room/a/b', { name: 'not-found', path: '/room/a/b' }],
    ['/settings', { name: 'not-found', path: '/settings' }],
    ['/join/%E0%A4%A', { name: 'not-found', path: '/join/%E0%A4%A' }],
  ])('%s → %j', (path, route) => {
    expect(parseRoute(path, '')).toEqual(route);
  });

  it('round-trips roomPath', () => {
    const path = roomPath('standup', ADDRESS);
    const [pathname, hash] = path.split('#');
    expect(parseRoute(pathname, `#${hash}`)).toEqual({
      name: 'room',
      conferenceId: 'standup',
      address: ADDRESS,
    });
  });
});

describe('parseJoinInput', () => {
  it('accepts an address, a join link and a bare id', () => {
    expect(parseJoinInput(`  ${ADDRESS} `)).toEqual({ ok: true, conferenceId: 'standup', address: ADDRESS });
    const link = `https://reg-c2-1.hoot.mx/join/standup#${new URLSearchParams({ ticket: TICKET, signal: 'wss://m/signal', address: ADDRESS })}`;
    expect(parseJoinInput(link)).toEqual({
      ok: true,
      conferenceId: 'standup',
      address: ADDRESS,
      direct: { ticket: TICKET, signalingUrl: 'wss://m/signal' },
    });
    expect(parseJoinInput('standup')).toEqual({ ok: true, conferenceId: 'standup' });
  });

  it.each([
    ['', 'Enter a conference address'],
    ['hoot.mx://Standup@coremx-1.c1.hoot.mx', 'not valid'],
    ['hoot.mx:/standup@x.y', 'not valid'],
    ['https://example.com/settings', 'not a hoot join link'],
    ['Stand Up', 'Enter a hoot.mx:// address'],
  ])('refuses %j with a human reason', (text, reason) => {
    const result = parseJoinInput(text);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: expect.stringContaining(reason) });
  });
});

describe('sameOrigin', () => {
  it('compares scheme, host and port only; anything that is not a URL matches nothing', () => {
    expect(sameOrigin('http://127.0.0.1:3201', 'http://127.0.0.1:3201')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:3201/', 'http://127.0.0.1:3201')).toBe(true);
    expect(sameOrigin('https://reg.c1.hoot.mx:443/api', 'https://reg.c1.hoot.mx')).toBe(true);
    expect(sameOrigin('http://127.0.0.1:3201', 'http://127.0.0.1:3202')).toBe(false);
    expect(sameOrigin('http://127.0.0.1:3201', 'https://127.0.0.1:3201')).toBe(false);
    expect(sameOrigin('http://localhost:3201', 'http://127.0.0.1:3201')).toBe(false);
    expect(sameOrigin('not a url', 'http://127.0.0.1:3201')).toBe(false);
  });
});
