import fc from 'fast-check';
import { CashErrorCode } from '../errors';
import { CLIENT_MESSAGE_TYPES, parseClientMessage, utf8ByteLength } from './validation';
import type { ClientMessageType } from './messages';

/** An SDP offer as a browser sends one (one section per kind). */
function sdpOffer(kinds: string[] = ['audio', 'video']): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  kinds.forEach((kind, i) =>
    lines.push(`m=${kind === 'screen' ? 'video' : kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${i}`, 'a=sendrecv'),
  );
  return `${lines.join('\r\n')}\r\n`;
}

const MAX = 256 * 1024;
const parse = (value: unknown) =>
  parseClientMessage(typeof value === 'string' ? value : JSON.stringify(value), MAX);
const candidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

/** One valid message per type. */
const VALID: Record<ClientMessageType, Record<string, unknown>> = {
  join: { type: 'join', ticket: 'a.b.c', displayName: 'Alice' },
  publish: { type: 'publish', kinds: ['audio', 'video'], sdpOffer: sdpOffer() },
  unpublish: { type: 'unpublish' },
  subscribe: { type: 'subscribe', publisherId: 'p-1', sdpOffer: sdpOffer() },
  unsubscribe: { type: 'unsubscribe', publisherId: 'p-1' },
  ice: { type: 'ice', publisherId: 'p-1', candidate },
  'raise-hand': { type: 'raise-hand' },
  'lower-hand': { type: 'lower-hand' },
  approve: { type: 'approve', target: 'p-2' },
  deny: { type: 'deny', target: 'p-2' },
  kick: { type: 'kick', target: 'p-2' },
  unban: { type: 'unban', identity: 'acc-bob' },
  leave: { type: 'leave' },
  end: { type: 'end' },
  'p2p-signal': { type: 'p2p-signal', signal: { kind: 'offer', sdp: sdpOffer() } },
  chat: { type: 'chat', text: 'hi' },
  record: { type: 'record', action: 'start' },
};

/** Per type: broken variants and the code each must get. */
const BAD: Record<ClientMessageType, [string, Record<string, unknown>][]> = {
  join: [
    ['no ticket', { ticket: undefined }],
    ['ticket not a string', { ticket: 42 }],
    ['oversized ticket', { ticket: 'x'.repeat(9000) }],
    ['display name with control characters', { displayName: 'a\u0007b' }],
    ['display name too long', { displayName: 'x'.repeat(101) }],
    ['a ticket and an access token', { accessToken: 'a.b.c', roomId: 'standup' }],
    ['an access token and a ticket', { roomId: 'standup', accessToken: 'a.b.c', ticket: 'a.b.c' }],
  ],
  publish: [
    ['no kinds', { kinds: undefined }],
    ['empty kinds', { kinds: [] }],
    ['unknown kind', { kinds: ['smell'] }],
    ['duplicate kinds', { kinds: ['audio', 'audio'] }],
    ['screen with the camera kinds', { kinds: ['audio', 'video', 'screen'] }],
    ['screen with video', { kinds: ['screen', 'video'] }],
    ['a stream field (publish says screen by its kinds)', { stream: 'screen' }],
    ['sdp not SDP', { sdpOffer: 'hello' }],
    ['oversized sdp', { sdpOffer: `v=0\r\n${'a'.repeat(128 * 1024)}` }],
    ['empty sdp', { sdpOffer: '' }],
  ],
  unpublish: [
    ['unknown stream', { stream: 'window' }],
    ['stream not a string', { stream: ['screen'] }],
    ['stream null', { stream: null }],
  ],
  subscribe: [
    ['unknown stream', { stream: 'Screen' }],
    ['stream a number', { stream: 1 }],
    ['missing sdp', { sdpOffer: undefined }],
    ['missing publisher', { publisherId: undefined }],
    ['publisher not a string', { publisherId: ['p-1'] }],
    ['oversized sdp', { sdpOffer: `v=0\r\n${'a'.repeat(128 * 1024)}` }],
  ],
  unsubscribe: [
    ['missing publisher', { publisherId: undefined }],
    ['unknown stream', { stream: 'mic' }],
  ],
  ice: [
    ['unknown stream', { stream: '' }],
    ['missing candidate', { candidate: undefined }],
    ['candidate not an object', { candidate: 'candidate:1' }],
    ['candidate without index', { candidate: { candidate: 'candidate:1', sdpMid: '0' } }],
    ['candidate with negative index', { candidate: { ...candidate, sdpMLineIndex: -1 } }],
    ['candidate with extra field', { candidate: { ...candidate, evil: true } }],
    ['oversized candidate', { candidate: { ...candidate, candidate: 'c'.repeat(2000) } }],
  ],
  'raise-hand': [],
  'lower-hand': [],
  approve: [
    ['missing target', { target: undefined }],
    ['empty target', { target: '' }],
  ],
  deny: [
    ['missing target', { target: undefined }],
    ['target a number', { target: 7 }],
  ],
  kick: [
    ['missing target', { target: undefined }],
    ['target too long', { target: 'p'.repeat(129) }],
  ],
  unban: [
    ['missing identity', { identity: undefined }],
    ['identity a number', { identity: 7 }],
  ],
  leave: [],
  end: [],
  'p2p-signal': [
    ['missing signal', { signal: undefined }],
    ['unknown kind', { signal: { kind: 'hug' } }],
    ['offer without sdp', { signal: { kind: 'offer' } }],
    ['candidate malformed', { signal: { kind: 'candidate', candidate: { candidate: 1 } } }],
    ['extra field', { signal: { kind: 'answer', sdp: sdpOffer(), extra: 1 } }],
  ],
  chat: [
    ['missing text', { text: undefined }],
    ['text too long', { text: 'x'.repeat(8001) }],
  ],
  record: [
    ['missing action', { action: undefined }],
    ['unknown action', { action: 'pause' }],
    ['action not a string', { action: ['start'] }],
  ],
};

describe('parseClientMessage', () => {
  it('accepts a join with an access token and a room id instead of a ticket', () => {
    const join = { type: 'join', id: 'j', accessToken: 'a.b.c', roomId: 'standup', displayName: 'Al' };
    expect(parse(join)).toEqual({ ok: true, message: join });
  });

  it.each([
    ['no room id', { type: 'join', accessToken: 'a.b.c' }],
    ['a room id without a token', { type: 'join', roomId: 'standup' }],
    ['a bad room id', { type: 'join', accessToken: 'a.b.c', roomId: 'Stand Up' }],
    ['an oversized access token', { type: 'join', accessToken: 'x'.repeat(9000), roomId: 'standup' }],
  ])('refuses a join with %s', (_name, message) => {
    expect(parse(message)).toMatchObject({ ok: false, code: CashErrorCode.InvalidMessage });
  });

  it.each([
    { type: 'publish', kinds: ['screen'], sdpOffer: sdpOffer() },
    { type: 'unpublish', stream: 'screen' },
    { type: 'unpublish', stream: 'camera' },
    { type: 'subscribe', publisherId: 'p-1', stream: 'screen', sdpOffer: sdpOffer() },
    { type: 'subscribe', publisherId: 'p-1', stream: 'camera', sdpOffer: sdpOffer() },
    { type: 'unsubscribe', publisherId: 'p-1', stream: 'screen' },
    { type: 'ice', publisherId: 'p-1', stream: 'screen', candidate },
  ])('accepts a message about a shared screen: %j', (message) => {
    expect(parse(message)).toEqual({ ok: true, message });
  });

  it.each(CLIENT_MESSAGE_TYPES)('accepts a valid %s and echoes its id', (type) => {
    const result = parse({ ...VALID[type], id: 'm-1' });
    expect(result).toEqual({ ok: true, message: { ...VALID[type], id: 'm-1' } });
  });

  it.each(CLIENT_MESSAGE_TYPES)('refuses an unknown field on %s', (type) => {
    expect(parse({ ...VALID[type], id: 'm-2', surprise: 1 })).toMatchObject({
      ok: false,
      re: 'm-2',
      code: CashErrorCode.InvalidMessage,
      message: expect.stringContaining('surprise'),
    });
  });

  const cases = CLIENT_MESSAGE_TYPES.flatMap((type) =>
    BAD[type].map(([why, change]) => [type, why, change] as const),
  );
  it.each(cases)('refuses %s with %s', (type, _why, change) => {
    const message: Record<string, unknown> = { ...VALID[type], ...change };
    for (const key of Object.keys(message)) if (message[key] === undefined) delete message[key];
    expect(parse(message)).toMatchObject({ ok: false, code: CashErrorCode.InvalidMessage });
  });

  it('refuses frames that are not JSON objects, unknown types and oversized frames', () => {
    expect(parse('{not json')).toMatchObject({ ok: false, code: CashErrorCode.MessageMalformed });
    expect(parse('[1,2]')).toMatchObject({ ok: false, code: CashErrorCode.MessageMalformed });
    expect(parse('null')).toMatchObject({ ok: false, code: CashErrorCode.MessageMalformed });
    expect(parse({ type: 'dance' })).toMatchObject({ ok: false, code: CashErrorCode.UnknownType });
    expect(parse({ kinds: ['audio'] })).toMatchObject({ ok: false, code: CashErrorCode.UnknownType });
    expect(parse({ type: 'leave', id: 'x'.repeat(65) })).toMatchObject({
      ok: false,
      code: CashErrorCode.InvalidMessage,
    });
    expect(parseClientMessage(JSON.stringify({ type: 'chat', text: 'x'.repeat(100) }), 50)).toMatchObject({
      ok: false,
      code: CashErrorCode.MessageTooLarge,
    });
  });

  it('never throws and never accepts garbage (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const result = parseClientMessage(raw, MAX);
          return !result.ok || CLIENT_MESSAGE_TYPES.includes(result.message.type);
        },
      ),
    );
  });
});

describe('utf8ByteLength', () => {
  it('counts the bytes a UTF-8 encoder writes (property), so the frame limit is the same in browsers and Node', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        (value) => utf8ByteLength(value) === encoder.encode(value).length,
      ),
    );
    expect(utf8ByteLength('é€😀')).toBe(2 + 3 + 4);
    expect(utf8ByteLength('\ud800x')).toBe(4);
  });

  it('refuses a frame whose characters fit but whose UTF-8 bytes do not', () => {
    const frame = JSON.stringify({ type: 'chat', text: '€'.repeat(20) });
    expect(frame.length).toBeLessThanOrEqual(50);
    expect(parseClientMessage(frame, 50)).toMatchObject({ ok: false, code: CashErrorCode.MessageTooLarge });
    expect(parseClientMessage(frame, 100)).toMatchObject({ ok: true });
  });
});
