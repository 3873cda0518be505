import fc from 'fast-check';
import {
  CONFERENCE_ADDRESS_MAX_LENGTH,
  CONFERENCE_ID_PATTERN,
  ConferenceAddressErrorCode as Code,
  InvalidConferenceAddressError,
  checkConferenceId,
  checkMixerAddress,
  formatConferenceAddress,
  isConferenceId,
  isMixerAddress,
  parseConferenceAddress,
  type ConferenceAddressPart,
} from './conference-address';

/** An independent oracle for the grammar, written as one regular expression. */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ORACLE = new RegExp(`^hoot\\.mx://[a-z0-9][a-z0-9-]{2,63}@(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);

const idChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''));
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const conferenceId = fc
  .tuple(alnum, fc.array(idChar, { minLength: 2, maxLength: 63 }))
  .map(([first, rest]) => first + rest.join(''));
const label = fc.oneof(
  alnum,
  fc
    .tuple(alnum, fc.array(idChar, { maxLength: 61 }), alnum)
    .map(([a, middle, b]) => a + middle.join('') + b),
);
const mixerAddress = fc
  .array(label, { minLength: 2, maxLength: 8 })
  .map((labels) => labels.join('.'))
  .filter((name) => name.length <= 253);
const address = fc
  .record({ conferenceId, mixerAddress })
  .map((a) => ({ ...a, text: `hoot.mx://${a.conferenceId}@${a.mixerAddress}` }));

/** A character likely to matter to the grammar, or any character at all. */
const interestingChar = fc.oneof(
  fc.constantFrom(
    '-',
    '.',
    '@',
    ':',
    '/',
    '?',
    '#',
    ' ',
    '\t',
    '\n',
    'A',
    'Z',
    '_',
    '~',
    'é',
    '\u0000',
    'a',
    '0',
  ),
  fc.string({ minLength: 1, maxLength: 1 }),
);
/** Valid addresses with one random edit: insertion, deletion or replacement. */
const mutated = fc
  .tuple(address, fc.nat(), interestingChar, fc.constantFrom('insert', 'delete', 'replace'))
  .map(([a, rawPos, ch, kind]) => {
    const pos = rawPos % (a.text.length + 1);
    if (kind === 'insert') return a.text.slice(0, pos) + ch + a.text.slice(pos);
    if (kind === 'delete') return a.text.slice(0, pos) + a.text.slice(pos + 1);
    return a.text.slice(0, pos) + ch + a.text.slice(pos + 1);
  });

function attempt<T>(fn: () => T): T | unknown {
  try {
    return fn();
  } catch (error) {
    return error;
  }
}

describe('parseConferenceAddress', () => {
  it('parses the example of the architecture', () => {
    expect(parseConferenceAddress('hoot.mx://standup@coremx-1.c1.hoot.mx')).toEqual({
      ok: true,
      address: { conferenceId: 'standup', mixerAddress: 'coremx-1.c1.hoot.mx' },
    });
  });

  it.each([
    'hoot.mx://abc@a.b',
    'hoot.mx://0-0@x1.y2',
    'hoot.mx://abc-@coremx-1.c1.hoot.mx',
    `hoot.mx://${'a'.repeat(64)}@coremx-1.c1.hoot.mx`,
    `hoot.mx://abc@${'a'.repeat(63)}.mx`,
    `hoot.mx://abc@${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')}`,
    'hoot.mx://abc@10.0.0.1',
  ])('accepts %s', (text) => {
    const result = parseConferenceAddress(text);
    expect(result.ok).toBe(true);
    expect(ORACLE.test(text)).toBe(true);
  });

  const longest = `hoot.mx://${'a'.repeat(64)}@${['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')}`;
  it('accepts an address of exactly the maximum length and nothing longer', () => {
    expect(longest).toHaveLength(CONFERENCE_ADDRESS_MAX_LENGTH);
    expect(parseConferenceAddress(longest).ok).toBe(true);
    expect(parseConferenceAddress(`${longest}a`)).toMatchObject({
      ok: false,
      code: Code.TooLong,
      part: 'address',
    });
  });

  const cases: Array<[string, unknown, Code, ConferenceAddressPart, RegExp]> = [
    ['a number', 42, Code.NotAString, 'address', /must be a string, not a number/],
    ['null', null, Code.NotAString, 'address', /not null/],
    ['an object', { conferenceId: 'abc' }, Code.NotAString, 'address', /not an object/],
    ['empty', '', Code.Empty, 'address', /empty/],
    ['too long', `hoot.mx://${'a'.repeat(400)}@a.b`, Code.TooLong, 'address', /at most 328/],
    ['leading space', ' hoot.mx://abc@a.b', Code.Whitespace, 'address', /index 0/],
    ['trailing newline', 'hoot.mx://abc@a.b\n', Code.Whitespace, 'address', /index 17/],
    ['inner tab', 'hoot.mx://ab\tc@a.b', Code.Whitespace, 'address', /index 12/],
    ['NUL', 'hoot.mx://abc@a.b\u0000', Code.Whitespace, 'address', /control/],
    ['https scheme', 'https://abc@a.b', Code.BadScheme, 'scheme', /unknown scheme "https"/],
    ['upper-case scheme', 'HOOT.MX://abc@a.b', Code.BadScheme, 'scheme', /lower-case/],
    ['missing slashes', 'hoot.mx:abc@a.b', Code.BadScheme, 'scheme', /followed by '\/\/'/],
    ['no scheme', 'abc@a.b', Code.BadScheme, 'scheme', /must start with "hoot.mx:\/\/"/],
    ['one slash', 'hoot.mx:/abc@a.b', Code.BadScheme, 'scheme', /followed by/],
    ['no @', 'hoot.mx://abc.a.b', Code.MissingSeparator, 'separator', /no '@'/],
    ['two @', 'hoot.mx://abc@a.b@c.d', Code.ExtraSeparator, 'separator', /second '@' at index 17/],
    ['empty id', 'hoot.mx://@a.b', Code.BadConferenceId, 'conferenceId', /is empty/],
    ['short id', 'hoot.mx://ab@a.b', Code.BadConferenceId, 'conferenceId', /at least 3/],
    ['long id', `hoot.mx://${'a'.repeat(65)}@a.b`, Code.BadConferenceId, 'conferenceId', /at most 64/],
    ['id starting with -', 'hoot.mx://-abc@a.b', Code.BadConferenceId, 'conferenceId', /start with a letter/],
    ['upper-case id', 'hoot.mx://aBc@a.b', Code.BadConferenceId, 'conferenceId', /upper case/],
    ['id with _', 'hoot.mx://a_c@a.b', Code.BadConferenceId, 'conferenceId', /"_" at index 1/],
    ['id with a path', 'hoot.mx://a/bc@a.b', Code.BadConferenceId, 'conferenceId', /"\/"/],
    ['empty mixer', 'hoot.mx://abc@', Code.BadMixerAddress, 'mixerAddress', /is empty/],
    ['single label', 'hoot.mx://abc@localhost', Code.BadMixerAddress, 'mixerAddress', /two labels/],
    ['trailing dot', 'hoot.mx://abc@a.b.', Code.BadMixerAddress, 'mixerAddress', /trailing dot/],
    ['leading dot', 'hoot.mx://abc@.a.b', Code.BadMixerAddress, 'mixerAddress', /starts with '\.'/],
    ['empty label', 'hoot.mx://abc@a..b', Code.BadMixerAddress, 'mixerAddress', /empty label/],
    ['label with leading -', 'hoot.mx://abc@-a.b', Code.BadMixerAddress, 'mixerAddress', /starts with '-'/],
    ['label with trailing -', 'hoot.mx://abc@a-.b', Code.BadMixerAddress, 'mixerAddress', /ends with '-'/],
    ['long label', `hoot.mx://abc@${'a'.repeat(64)}.b`, Code.BadMixerAddress, 'mixerAddress', /at most 63/],
    [
      'long mixer',
      `hoot.mx://abc@${Array.from({ length: 128 }, () => 'a').join('.')}`,
      Code.BadMixerAddress,
      'mixerAddress',
      /at most 253/,
    ],
    [
      'upper-case mixer',
      'hoot.mx://abc@CoreMX-1.c1.hoot.mx',
      Code.BadMixerAddress,
      'mixerAddress',
      /upper case/,
    ],
    ['mixer with _', 'hoot.mx://abc@core_mx.hoot.mx', Code.BadMixerAddress, 'mixerAddress', /"_"/],
    ['port', 'hoot.mx://abc@a.b:443', Code.TrailingCharacters, 'address', /":" at index 17.*a port/],
    ['path', 'hoot.mx://abc@a.b/x', Code.TrailingCharacters, 'address', /a path/],
    ['trailing slash', 'hoot.mx://abc@a.b/', Code.TrailingCharacters, 'address', /a path/],
    ['query', 'hoot.mx://abc@a.b?x=1', Code.TrailingCharacters, 'address', /a query/],
    ['fragment', 'hoot.mx://abc@a.b#x', Code.TrailingCharacters, 'address', /a fragment/],
    ['bad mixer before a port', 'hoot.mx://abc@ab:1', Code.BadMixerAddress, 'mixerAddress', /two labels/],
  ];
  it.each(cases)('refuses %s', (_name, input, code, part, message) => {
    const result = parseConferenceAddress(input);
    expect(result).toMatchObject({ ok: false, code, part });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('points at the offending character', () => {
    expect(parseConferenceAddress('hoot.mx://a_c@a.b')).toMatchObject({ position: 11 });
    expect(parseConferenceAddress('hoot.mx://abc@a.B')).toMatchObject({ position: 16 });
    expect(parseConferenceAddress('hoot.mx://abc@a-.b')).toMatchObject({ position: 15 });
    expect(parseConferenceAddress('hoot.mx//abc@a.b')).toMatchObject({ position: 7 });
  });

  it('round-trips every valid address: format(parse(x)) === x', () => {
    fc.assert(
      fc.property(address, (a) => {
        const result = parseConferenceAddress(a.text);
        expect(result).toEqual({
          ok: true,
          address: { conferenceId: a.conferenceId, mixerAddress: a.mixerAddress },
        });
        expect(formatConferenceAddress(result.ok ? result.address : a)).toBe(a.text);
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts exactly what the grammar accepts, on edited valid addresses', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        const result = parseConferenceAddress(text);
        expect(result.ok).toBe(ORACLE.test(text));
        expect(result.ok ? formatConferenceAddress(result.address) : text).toBe(text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('refuses arbitrary text unless the grammar accepts it, and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `hoot.mx://${s}`),
        ),
        (text) => {
          const result = parseConferenceAddress(text);
          expect(result.ok).toBe(ORACLE.test(text));
          expect(result.ok || (result.code.length > 0 && result.message.length > 0)).toBe(true);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseConferenceAddress(value).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatConferenceAddress', () => {
  it('formats the parts', () => {
    expect(formatConferenceAddress({ conferenceId: 'standup', mixerAddress: 'coremx-1.c1.hoot.mx' })).toBe(
      'hoot.mx://standup@coremx-1.c1.hoot.mx',
    );
  });

  it.each([
    [{ conferenceId: 'ab', mixerAddress: 'a.b' }, Code.BadConferenceId, 'conferenceId'],
    [{ conferenceId: 'abc@x', mixerAddress: 'a.b' }, Code.BadConferenceId, 'conferenceId'],
    [{ conferenceId: 'abc', mixerAddress: 'a.b/x' }, Code.BadMixerAddress, 'mixerAddress'],
    [{ conferenceId: 'abc', mixerAddress: 'localhost' }, Code.BadMixerAddress, 'mixerAddress'],
    [{ conferenceId: 3 as unknown as string, mixerAddress: 'a.b' }, Code.BadConferenceId, 'conferenceId'],
    [
      { conferenceId: 'abc', mixerAddress: undefined as unknown as string },
      Code.BadMixerAddress,
      'mixerAddress',
    ],
  ])('refuses parts that would not parse back: %j', (parts, code, part) => {
    expect(() => formatConferenceAddress(parts)).toThrow(InvalidConferenceAddressError);
    expect(() => formatConferenceAddress(parts)).toThrow(expect.objectContaining({ code, part }));
  });

  it('formats only what parses back to the same parts', () => {
    fc.assert(
      fc.property(
        fc.oneof(conferenceId, fc.string({ maxLength: 70 })),
        fc.oneof(mixerAddress, fc.string({ maxLength: 20 })),
        (id, mixer) => {
          const outcome = attempt(() => formatConferenceAddress({ conferenceId: id, mixerAddress: mixer }));
          const parsed = typeof outcome === 'string' ? parseConferenceAddress(outcome) : undefined;
          const actual =
            outcome instanceof InvalidConferenceAddressError
              ? 'refused'
              : parsed?.ok
                ? parsed.address
                : outcome;
          const valid = isConferenceId(id) && isMixerAddress(mixer);
          expect(actual).toEqual(valid ? { conferenceId: id, mixerAddress: mixer } : 'refused');
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('isConferenceId and friends', () => {
  it('agrees with CONFERENCE_ID_PATTERN and checkConferenceId', () => {
    fc.assert(
      fc.property(fc.oneof(conferenceId, fc.string({ maxLength: 70 })), (id) => {
        expect(isConferenceId(id)).toBe(CONFERENCE_ID_PATTERN.test(id));
        expect(checkConferenceId(id) === undefined).toBe(CONFERENCE_ID_PATTERN.test(id));
      }),
      { numRuns: 1_000 },
    );
  });

  it('refuses non-strings', () => {
    expect(isConferenceId(123)).toBe(false);
    expect(isMixerAddress(null)).toBe(false);
  });

  it('checks mixer addresses on their own', () => {
    expect(isMixerAddress('coremx-1.c1.hoot.mx')).toBe(true);
    expect(isMixerAddress('coremx-1')).toBe(false);
    expect(checkMixerAddress('a..b')).toMatchObject({ code: Code.BadMixerAddress, position: 2 });
  });
});
