import fc from 'fast-check';
import { CCES_SAMPLE_DATA } from '../../testing';
import { CCES_CATALOG, CCES_EVENT_TYPES, type CcesEventType } from './cces-catalog';
import { CCES_MAX_VALUE_BYTES, parseCcesEnvelope, parseCcesMessage } from './cces-envelope';
import { ccesValueBytesAtMost } from './cces-publisher.port';
import {
  CHAT_TEXT_MAX_CODE_POINTS,
  chatTextLength,
  sanitizeChatText,
  type ChatMessageData,
} from './chat-message';
import { CcesErrorCode } from './cces-error-code';
import { COREMX_STREAM_KEY } from './cces-fields';
import { cceTopicFor } from './cces-topic';

const TOPIC = cceTopicFor('coremx-1');

function envelope(type: CcesEventType, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    type,
    schemaVersion: CCES_CATALOG[type].schemaVersion,
    coremxId: 'coremx-1',
    conferenceId: type === 'coremx.state-changed' ? COREMX_STREAM_KEY : 'standup',
    seq: 7,
    occurredAt: '2026-01-01T10:00:00.000Z',
    data: structuredClone(CCES_SAMPLE_DATA[type]),
    ...overrides,
  };
}

const parse = (value: Record<string, unknown>, key = value['conferenceId'] as string, topic = TOPIC) =>
  parseCcesMessage(key, Buffer.from(JSON.stringify(value)), topic);

/** A value of the wrong JSON type for a field currently holding `value`. */
const wrongType = (value: unknown): unknown => {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return '42';
  if (typeof value === 'boolean') return 'true';
  if (value === null) return 42;
  return 'x';
};

describe('CCES contracts', () => {
  it('has the issue 6 event types and chat.message, one folder each, room.reserved at version 2 and the rest at 1', () => {
    expect([...CCES_EVENT_TYPES].sort()).toEqual(
      [
        'chat.message',
        'conference.moved',
        'coremx.state-changed',
        'hand.approved',
        'hand.denied',
        'hand.lowered',
        'hand.raised',
        'participant.joined',
        'participant.kicked',
        'participant.left',
        'participant.role-changed',
        'room.ended',
        'room.owner-changed',
        'room.rebuilt',
        'room.reserved',
        'room.started',
        'stream.published',
        'stream.unpublished',
        'stream.hls.started',
        'stream.hls.stopped',
        'recording.started',
        'recording.stopped',
      ].sort(),
    );
    for (const type of CCES_EVENT_TYPES)
      expect(CCES_CATALOG[type].schemaVersion).toBe(type === 'room.reserved' ? 2 : 1);
  });

  describe.each(CCES_EVENT_TYPES)('%s', (type) => {
    const sample = CCES_SAMPLE_DATA[type] as Record<string, unknown>;
    const fields = Object.keys(sample);

    it('accepts a valid event and returns it unchanged', () => {
      const value = envelope(type);
      expect(parse(value)).toEqual({ ok: true, event: value });
    });

    it('refuses an unknown data field', () => {
      const result = parse(envelope(type, { data: { ...sample, extra: 1 } }));
      expect(result).toMatchObject({
        ok: false,
        code: CcesErrorCode.InvalidData,
        reason: 'data.extra is not a known field',
      });
    });

    it('refuses data that is not an object', () => {
      for (const data of [null, [], 'x', 1]) {
        expect(parse(envelope(type, { data }))).toMatchObject({ ok: false, code: CcesErrorCode.InvalidData });
      }
    });

    const cases = fields.flatMap((field) => {
      const value = sample[field];
      const out: [string, Record<string, unknown>][] = [[`${field} missing`, omit(sample, field)]];
      out.push([`${field} of the wrong type`, { ...sample, [field]: wrongType(value) }]);
      if (typeof value === 'string') {
        out.push([`${field} oversize`, { ...sample, [field]: 'a'.repeat(5_000) }]);
        out.push([`${field} empty`, { ...sample, [field]: '' }]);
        out.push([`${field} with a control character`, { ...sample, [field]: `${value}\u0000` }]);
      }
      if (typeof value === 'number') out.push([`${field} negative`, { ...sample, [field]: -1 }]);
      if (Array.isArray(value))
        out.push([`${field} holding a bad item`, { ...sample, [field]: [...value, { x: 1 }] }]);
      return out;
    });
    if (cases.length > 0) {
      it.each(cases)('refuses %s', (_what, data) => {
        expect(parse(envelope(type, { data }))).toMatchObject({ ok: false, code: CcesErrorCode.InvalidData });
      });
    }
  });

  it.each([
    ['participant.role-changed', { participantId: 'p-2', from: 'viewer', to: 'viewer' }],
    ['room.owner-changed', { from: 'p-1', to: 'p-1' }],
    ['coremx.state-changed', { from: 'ready', to: 'ready' }],
    [
      'conference.moved',
      {
        fromCoremxId: 'c',
        toCoremxId: 'c',
        toAddress: 'hoot.mx://standup@coremx-2.c1.hoot.mx',
        reason: 'drain',
      },
    ],
    ['stream.published', { participantId: 'p-1', kinds: ['audio', 'audio'] }],
    ['stream.published', { participantId: 'p-1', kinds: [] }],
    ['stream.published', { participantId: 'p-1', kinds: ['smell'] }],
    ['stream.published', { participantId: 'p-1', kinds: ['screen', 'screen'] }],
    ['stream.unpublished', { participantId: 'p-1', kinds: ['audio', 'video', 'screen', 'smell'] }],
    ['room.reserved', { ...CCES_SAMPLE_DATA['room.reserved'], address: 'https://standup.example' }],
    ['room.reserved', { ...CCES_SAMPLE_DATA['room.reserved'], roomType: 'x2y' }],
    ['room.ended', { by: null, reason: 'bored', participantIds: [] }],
    ['participant.joined', { ...CCES_SAMPLE_DATA['participant.joined'], joinOrder: 0 }],
    ['participant.joined', { ...CCES_SAMPLE_DATA['participant.joined'], joinOrder: 1.5 }],
    ['participant.joined', { ...CCES_SAMPLE_DATA['participant.joined'], participantId: 'has space' }],
    ['participant.joined', { ...CCES_SAMPLE_DATA['participant.joined'], peerId: null }],
  ] as const)('refuses %s with %j', (type, data) => {
    expect(parse(envelope(type, { data }))).toMatchObject({ ok: false, code: CcesErrorCode.InvalidData });
  });

  it('accepts a shared screen as a stream of its own, and all three kinds when its sharer leaves', () => {
    expect(
      parse(envelope('stream.published', { data: { participantId: 'p-1', kinds: ['screen'] } })).ok,
    ).toBe(true);
    expect(
      parse(
        envelope('stream.unpublished', {
          data: { participantId: 'p-1', kinds: ['audio', 'video', 'screen'] },
        }),
      ).ok,
    ).toBe(true);
  });

  it('accepts optional and nullable fields when absent or null', () => {
    expect(parse(envelope('coremx.state-changed', { data: { from: null, to: 'starting' } })).ok).toBe(true);
    expect(
      parse(
        envelope('participant.joined', {
          data: { ...CCES_SAMPLE_DATA['participant.joined'], peerId: 'p-9' },
        }),
      ).ok,
    ).toBe(true);
    expect(
      parse(envelope('room.ended', { data: { by: null, reason: 'system', participantIds: [] } })).ok,
    ).toBe(true);
  });
});

describe('room.reserved v2', () => {
  const sample = { ...CCES_SAMPLE_DATA['room.reserved'] } as Record<string, unknown>;
  const address = 'hoot.mx://standup@coremx-1.c1.hoot.mx';
  const v2 = (data: Record<string, unknown>) => envelope('room.reserved', { data: { ...sample, ...data } });

  it.each([
    ['a public room without a list or limit', { public: true, allowed: null, maxParticipants: null }],
    ['a private room reserved for nobody', { creator: null, allowed: null }],
    ['an empty allowed list', { allowed: [] }],
    ['the largest allowed list', { allowed: Array.from({ length: 10_000 }, (_, i) => `a${i}`) }],
    ['the largest participant limit', { maxParticipants: 1_000_000 }],
  ])('accepts %s', (_what, data) => {
    const value = v2(data);
    expect(parseCcesEnvelope(value)).toEqual({ ok: true, event: value });
  });

  it.each([
    ['a v1 event (no public, allowed or maxParticipants)', { roomType: 'm2m', creator: null, address }],
    ['public missing', omit(sample, 'public')],
    ['public null', { ...sample, public: null }],
    ['public as text', { ...sample, public: 'true' }],
    ['allowed missing (null is the way to say no list)', omit(sample, 'allowed')],
    ['a repeated allowed identity', { ...sample, allowed: ['acc-bob', 'acc-bob'] }],
    ['an allowed identity that is no opaque id', { ...sample, allowed: ['has space'] }],
    ['an empty allowed identity', { ...sample, allowed: [''] }],
    ['10,001 allowed identities', { ...sample, allowed: Array.from({ length: 10_001 }, (_, i) => `a${i}`) }],
    ['allowed as one identity', { ...sample, allowed: 'acc-bob' }],
    ['maxParticipants 0', { ...sample, maxParticipants: 0 }],
    ['a fractional maxParticipants', { ...sample, maxParticipants: 1.5 }],
    ['maxParticipants over 1,000,000', { ...sample, maxParticipants: 1_000_001 }],
    ['maxParticipants missing', omit(sample, 'maxParticipants')],
  ])('refuses %s', (_what, data) => {
    expect(parseCcesEnvelope(envelope('room.reserved', { data }))).toMatchObject({
      ok: false,
      code: CcesErrorCode.InvalidData,
    });
  });

  it('refuses schema version 1, even with v1 data (consumers know v2 only)', () => {
    expect(
      parse(
        envelope('room.reserved', { schemaVersion: 1, data: { roomType: 'm2m', creator: null, address } }),
      ),
    ).toMatchObject({ ok: false, code: CcesErrorCode.UnsupportedVersion });
    expect(parse(v2({ public: true }))).toMatchObject({ ok: true });
  });
});

describe('parseCcesMessage (envelope)', () => {
  const good = envelope('participant.joined');

  it.each([
    ['no value', null, CcesErrorCode.Empty],
    ['an empty value', Buffer.alloc(0), CcesErrorCode.Empty],
    ['a value that is not JSON', Buffer.from('{"id":'), CcesErrorCode.Malformed],
    ['a JSON array', Buffer.from('[]'), CcesErrorCode.InvalidEnvelope],
    ['JSON null', Buffer.from('null'), CcesErrorCode.InvalidEnvelope],
    ['an oversize value', Buffer.alloc(CCES_MAX_VALUE_BYTES + 1, 0x20), CcesErrorCode.TooLarge],
  ])('refuses %s', (_what, value, code) => {
    expect(parseCcesMessage('standup', value, TOPIC)).toMatchObject({ ok: false, code });
  });

  it.each([
    ['an unknown envelope field', { ...good, extra: true }, CcesErrorCode.InvalidEnvelope],
    [
      'a __proto__ field',
      JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(good).slice(1)}`),
      CcesErrorCode.InvalidEnvelope,
    ],
    ['no id', omit(good, 'id'), CcesErrorCode.InvalidEnvelope],
    ['no data', omit(good, 'data'), CcesErrorCode.InvalidEnvelope],
    ['an id that is no UUID', { ...good, id: 'x' }, CcesErrorCode.InvalidEnvelope],
    ['seq 0', { ...good, seq: 0 }, CcesErrorCode.InvalidEnvelope],
    ['a fractional seq', { ...good, seq: 1.5 }, CcesErrorCode.InvalidEnvelope],
    ['a text seq', { ...good, seq: '1' }, CcesErrorCode.InvalidEnvelope],
    ['a local time', { ...good, occurredAt: '2026-01-01T10:00:00' }, CcesErrorCode.InvalidEnvelope],
    [
      'an impossible date',
      { ...good, occurredAt: '2026-13-45T10:00:00.000Z' },
      CcesErrorCode.InvalidEnvelope,
    ],
    ['a bad coremxId', { ...good, coremxId: 'CoreMX 1' }, CcesErrorCode.InvalidEnvelope],
    ['a bad conferenceId', { ...good, conferenceId: '_coremx' }, CcesErrorCode.InvalidEnvelope],
    ['an unknown type', { ...good, type: 'room.exploded' }, CcesErrorCode.UnknownType],
    ['a future schema version', { ...good, schemaVersion: 2 }, CcesErrorCode.UnsupportedVersion],
  ])('refuses %s', (_what, value, code) => {
    expect(parse(value as Record<string, unknown>, 'standup')).toMatchObject({ ok: false, code });
  });

  it('refuses a CoreMX event on a conference key and a conference event on the CoreMX key', () => {
    expect(parse(envelope('coremx.state-changed', { conferenceId: 'standup' }), 'standup')).toMatchObject({
      ok: false,
      code: CcesErrorCode.InvalidEnvelope,
    });
    expect(
      parse(envelope('room.started', { conferenceId: COREMX_STREAM_KEY }), COREMX_STREAM_KEY),
    ).toMatchObject({
      ok: false,
      code: CcesErrorCode.InvalidEnvelope,
    });
  });

  it('refuses a key that is not the conferenceId, and a missing key', () => {
    expect(parse(good, 'other')).toMatchObject({ ok: false, code: CcesErrorCode.KeyMismatch });
    expect(parseCcesMessage(null, JSON.stringify(good), TOPIC)).toMatchObject({
      ok: false,
      code: CcesErrorCode.KeyMismatch,
    });
  });

  it("refuses an event of another CoreMX on this CoreMX's topic, and any event on a foreign topic", () => {
    expect(parse(good, 'standup', cceTopicFor('coremx-2'))).toMatchObject({
      ok: false,
      code: CcesErrorCode.TopicMismatch,
    });
    expect(parse(good, 'standup', 'hoot.auth.revocations')).toMatchObject({
      ok: false,
      code: CcesErrorCode.TopicMismatch,
    });
    expect(parseCcesMessage('standup', JSON.stringify(good)).ok).toBe(true);
  });

  it('never throws, whatever the bytes or JSON', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.uint8Array({ maxLength: 200 }), (key, bytes) => {
        expect(parseCcesMessage(key, Buffer.from(bytes), TOPIC).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseCcesMessage('standup', JSON.stringify(value), TOPIC).ok).toBe(false);
      }),
    );
  });

  it('refuses any single-field corruption of a valid envelope', () => {
    const keys = Object.keys(good);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue(), (field, replacement) => {
        fc.pre(JSON.stringify(replacement) !== JSON.stringify(good[field]));
        const result = parseCcesEnvelope({ ...good, [field]: replacement });
        // Another valid id, seq, time, CoreMX or conference is still a valid envelope (the key and topic
        // checks of parseCcesMessage catch the last two); everything else must be refused.
        const stillValid =
          result.ok && ['id', 'seq', 'occurredAt', 'coremxId', 'conferenceId'].includes(field);
        expect(result.ok === false || stillValid).toBe(true);
      }),
    );
  });

  it('parseCcesEnvelope is pure validation (no key or topic)', () => {
    expect(parseCcesEnvelope(good)).toEqual({ ok: true, event: good });
    expect(parseCcesEnvelope(undefined)).toMatchObject({ ok: false, code: CcesErrorCode.InvalidEnvelope });
  });
});

describe('chat.message (issue 21: chat on the topic)', () => {
  const chat = { ...CCES_SAMPLE_DATA['chat.message'] };
  const withText = (text: string): ChatMessageData => ({ ...chat, text, length: chatTextLength(text) });
  const omitted = { ...omit({ ...chat }, 'text'), textOmitted: true };

  it('accepts the metadata form (textOmitted: true, no text) and text with line breaks and tabs', () => {
    expect(parse(envelope('chat.message', { data: omitted }))).toMatchObject({ ok: true });
    expect(parse(envelope('chat.message', { data: withText('line one\n\tline two\r\n') })).ok).toBe(true);
  });

  it('counts code points like the room does: 2000 emoji pass (4000 UTF-16 units), 2001 characters do not', () => {
    expect(parse(envelope('chat.message', { data: withText('👋'.repeat(2000)) })).ok).toBe(true);
    for (const text of [
      'a'.repeat(CHAT_TEXT_MAX_CODE_POINTS + 1),
      '👋'.repeat(CHAT_TEXT_MAX_CODE_POINTS + 1),
    ]) {
      expect(parse(envelope('chat.message', { data: { ...withText(text), length: 2000 } }))).toMatchObject({
        ok: false,
        code: CcesErrorCode.InvalidData,
        reason: 'data.text must have at most 2000 characters',
      });
    }
  });

  it.each([
    ['both text and textOmitted', { ...chat, textOmitted: true }],
    ['neither text nor textOmitted', omit({ ...chat }, 'text')],
    ['textOmitted false', { ...omit({ ...chat }, 'text'), textOmitted: false }],
    ['a length that is not the text’s', { ...chat, length: chat.length + 1 }],
    ['a length over 2000 without text', { ...omitted, length: 2001 }],
    ['a length of 0', { ...omitted, length: 0 }],
    ['only white space', withText(' \n\t ')],
    ['a bell character', withText('ding\u0007')],
    ['an escape sequence', withText('\u001b[2Jcleared')],
    ['a C1 control', withText('x\u0085y')],
    ['a lone surrogate', withText('x\ud83dy')],
    ['a messageId that is not an id', { ...chat, messageId: 'c 7' }],
    ['an author without identity', omit({ ...chat }, 'identity')],
    ['a display name over 128 characters', { ...chat, displayName: 'n'.repeat(129) }],
  ])('refuses %s', (_what, data) => {
    expect(parse(envelope('chat.message', { data }))).toMatchObject({
      ok: false,
      code: CcesErrorCode.InvalidData,
    });
  });

  it('keeps the largest chat event under CCES_MAX_VALUE_BYTES, and a bigger value is refused as too large', () => {
    // 4 UTF-8 bytes per code point is the most a text can take; a display name of quotes doubles in JSON.
    const largest = {
      type: 'chat.message' as const,
      conferenceId: 'c'.repeat(64),
      data: { ...withText('𝄞'.repeat(2000)), displayName: '"'.repeat(128), messageId: 'm'.repeat(128) },
    };
    expect(ccesValueBytesAtMost(largest, 'x'.repeat(63))).toBeLessThan(CCES_MAX_VALUE_BYTES);
    const padded = envelope('chat.message', { data: withText('a'.repeat(2000)) });
    const value = JSON.stringify(padded).replace('"data":{', `"data":{${' '.repeat(CCES_MAX_VALUE_BYTES)}`);
    expect(parseCcesMessage('standup', value, TOPIC)).toMatchObject({
      ok: false,
      code: CcesErrorCode.TooLarge,
    });
  });

  it('sanitizeChatText makes any text the room accepted fit, with the same length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 2000 }), (raw) => {
        fc.pre(raw.trim().length > 0);
        const text = sanitizeChatText(raw);
        expect(chatTextLength(text)).toBe(chatTextLength(raw));
        expect(parse(envelope('chat.message', { data: withText(text) }))).toMatchObject({ ok: true });
      }),
    );
  });
});

function omit(value: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[field];
  return copy;
}
