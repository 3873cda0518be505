/**
 * The conference address `hoot.mx://<conferenceId>@<mixerAddress>`: which conference, on which CoreMX.
 *
 * Grammar (nothing else is accepted, so `formatConferenceAddress(parseConferenceAddress(x))` is `x`):
 *
 * ```
 * address       = "hoot.mx://" conferenceId "@" mixerAddress
 * conferenceId  = [a-z0-9] [a-z0-9-]{2,63}                       ; 3–64 chars
 * mixerAddress  = label 1*("." label)                            ; at least two labels, ≤ 253 chars
 * label         = [a-z0-9] | [a-z0-9] [a-z0-9-]{0,61} [a-z0-9]   ; 1–63 chars, no '-' at either end
 * ```
 *
 * No upper case, no whitespace, no trailing dot, no port, path, query or fragment.
 */

export const CONFERENCE_ADDRESS_SCHEME = 'hoot.mx://';
/** Conference ids: lower-case letters, digits and '-', 3–64 chars, not starting with '-'. */
export const CONFERENCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;
export const CONFERENCE_ID_MIN_LENGTH = 3;
export const CONFERENCE_ID_MAX_LENGTH = 64;
export const MIXER_ADDRESS_MAX_LENGTH = 253;
export const MIXER_LABEL_MAX_LENGTH = 63;
/** The longest valid address: scheme + longest id + '@' + longest mixer address (328). */
export const CONFERENCE_ADDRESS_MAX_LENGTH =
  CONFERENCE_ADDRESS_SCHEME.length + CONFERENCE_ID_MAX_LENGTH + 1 + MIXER_ADDRESS_MAX_LENGTH;

export interface ConferenceAddress {
  conferenceId: string;
  mixerAddress: string;
}

/** Which part of the text is wrong. */
export type ConferenceAddressPart = 'address' | 'scheme' | 'separator' | 'conferenceId' | 'mixerAddress';

/** Why an address was refused. Stable: never rename, only add. */
export enum ConferenceAddressErrorCode {
  /** The input is not a string at all (untrusted JSON). */
  NotAString = 'ADDRESS_NOT_A_STRING',
  Empty = 'ADDRESS_EMPTY',
  /** Longer than `CONFERENCE_ADDRESS_MAX_LENGTH`: refused before any other check. */
  TooLong = 'ADDRESS_TOO_LONG',
  /** Whitespace or a control character anywhere (also leading or trailing). */
  Whitespace = 'ADDRESS_WHITESPACE',
  /** Does not start with `hoot.mx://` (other scheme, upper case, missing `//`). */
  BadScheme = 'ADDRESS_BAD_SCHEME',
  /** No '@' between the conference id and the mixer address. */
  MissingSeparator = 'ADDRESS_MISSING_AT',
  /** More than one '@'. */
  ExtraSeparator = 'ADDRESS_EXTRA_AT',
  BadConferenceId = 'ADDRESS_BAD_CONFERENCE_ID',
  BadMixerAddress = 'ADDRESS_BAD_MIXER_ADDRESS',
  /** Something after the mixer address: a port, path, query or fragment. */
  TrailingCharacters = 'ADDRESS_TRAILING_CHARACTERS',
}

export interface ConferenceAddressProblem {
  code: ConferenceAddressErrorCode;
  part: ConferenceAddressPart;
  message: string;
  /** Index (in the parsed text) of the first offending character, when there is one. */
  position?: number;
}

export type ParseConferenceAddressResult =
  { ok: true; address: ConferenceAddress } | ({ ok: false } & ConferenceAddressProblem);

/** Thrown by `formatConferenceAddress` for parts that could not be parsed back. */
export class InvalidConferenceAddressError extends Error {
  readonly code: ConferenceAddressErrorCode;
  readonly part: ConferenceAddressPart;

  constructor(problem: ConferenceAddressProblem) {
    super(problem.message);
    this.name = 'InvalidConferenceAddressError';
    this.code = problem.code;
    this.part = problem.part;
  }
}

const LABEL_CHAR = /[a-z0-9-]/;
const ID_CHAR = /[a-z0-9-]/;
/** Characters that start a port, path, query or fragment: reported as trailing characters. */
const TRAILER_START = /[:/?#]/;
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

function show(ch: string): string {
  return JSON.stringify(ch);
}

function problem(
  code: ConferenceAddressErrorCode,
  part: ConferenceAddressPart,
  message: string,
  position?: number,
): ConferenceAddressProblem {
  return position === undefined ? { code, part, message } : { code, part, message, position };
}

/**
 * Checks a conference id; `offset` is where it starts in a larger text (for `position`).
 * Returns undefined when valid.
 */
export function checkConferenceId(id: string, offset = 0): ConferenceAddressProblem | undefined {
  const bad = (message: string, at?: number) =>
    problem(
      ConferenceAddressErrorCode.BadConferenceId,
      'conferenceId',
      `conference id ${message}`,
      at === undefined ? undefined : offset + at,
    );
  if (id.length === 0) return bad('is empty', 0);
  for (let i = 0; i < id.length; i++) {
    const ch = id[i];
    if (!ID_CHAR.test(ch)) {
      const hint = /[A-Z]/.test(ch) ? ' (upper case is not allowed)' : '';
      return bad(`has ${show(ch)} at index ${i}: only a-z, 0-9 and '-' are allowed${hint}`, i);
    }
  }
  if (id[0] === '-') return bad("must start with a letter or digit, not '-'", 0);
  if (id.length < CONFERENCE_ID_MIN_LENGTH) {
    return bad(`is ${id.length} chars; at least ${CONFERENCE_ID_MIN_LENGTH} are required`);
  }
  if (id.length > CONFERENCE_ID_MAX_LENGTH) {
    return bad(
      `is ${id.length} chars; at most ${CONFERENCE_ID_MAX_LENGTH} are allowed`,
      CONFERENCE_ID_MAX_LENGTH,
    );
  }
  return undefined;
}

/**
 * Checks a mixer address (a DNS-style lower-case name with at least two labels); `offset` is where it
 * starts in a larger text. Returns undefined when valid.
 */
export function checkMixerAddress(name: string, offset = 0): ConferenceAddressProblem | undefined {
  const bad = (message: string, at?: number) =>
    problem(
      ConferenceAddressErrorCode.BadMixerAddress,
      'mixerAddress',
      `mixer address ${message}`,
      at === undefined ? undefined : offset + at,
    );
  if (name.length === 0) return bad('is empty', 0);
  if (name.length > MIXER_ADDRESS_MAX_LENGTH) {
    return bad(
      `is ${name.length} chars; at most ${MIXER_ADDRESS_MAX_LENGTH} are allowed`,
      MIXER_ADDRESS_MAX_LENGTH,
    );
  }
  let labelStart = 0;
  let labels = 0;
  for (let i = 0; i <= name.length; i++) {
    const ch = name[i];
    if (i === name.length || ch === '.') {
      const label = name.slice(labelStart, i);
      if (label.length === 0) {
        if (i === name.length) return bad("ends with '.' (no trailing dot allowed)", i - 1);
        return bad(labelStart === 0 ? "starts with '.'" : "has an empty label ('..')", i);
      }
      if (label.length > MIXER_LABEL_MAX_LENGTH) {
        return bad(
          `label ${show(label)} is ${label.length} chars; at most ${MIXER_LABEL_MAX_LENGTH} are allowed`,
          labelStart,
        );
      }
      if (label.startsWith('-')) return bad(`label ${show(label)} starts with '-'`, labelStart);
      if (label.endsWith('-')) return bad(`label ${show(label)} ends with '-'`, i - 1);
      labels++;
      labelStart = i + 1;
      continue;
    }
    if (!LABEL_CHAR.test(ch)) {
      const hint = /[A-Z]/.test(ch) ? ' (upper case is not allowed)' : '';
      return bad(`has ${show(ch)} at index ${i}: only a-z, 0-9, '-' and '.' are allowed${hint}`, i);
    }
  }
  if (labels < 2) return bad(`${show(name)} needs at least two labels (like coremx-1.c1.hoot.mx)`);
  return undefined;
}

/** True when `value` is a valid conference id. */
export function isConferenceId(value: unknown): value is string {
  return typeof value === 'string' && CONFERENCE_ID_PATTERN.test(value);
}

/** True when `value` is a valid mixer address. */
export function isMixerAddress(value: unknown): value is string {
  return typeof value === 'string' && checkMixerAddress(value) === undefined;
}

function fail(p: ConferenceAddressProblem): ParseConferenceAddressResult {
  return { ok: false, ...p };
}

function checkScheme(text: string): ConferenceAddressProblem | undefined {
  if (text.startsWith(CONFERENCE_ADDRESS_SCHEME)) return undefined;
  const bad = (message: string) =>
    problem(
      ConferenceAddressErrorCode.BadScheme,
      'scheme',
      message,
      firstDifference(text, CONFERENCE_ADDRESS_SCHEME),
    );
  if (text.toLowerCase().startsWith(CONFERENCE_ADDRESS_SCHEME)) {
    return bad(`the scheme must be lower-case ${show(CONFERENCE_ADDRESS_SCHEME)}`);
  }
  if (text.startsWith('hoot.mx:')) {
    return bad(`the scheme must be followed by '//' (${show(CONFERENCE_ADDRESS_SCHEME)})`);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text);
  if (scheme)
    return bad(
      `unknown scheme ${show(scheme[1])}; the address must start with ${show(CONFERENCE_ADDRESS_SCHEME)}`,
    );
  return bad(`the address must start with ${show(CONFERENCE_ADDRESS_SCHEME)}`);
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Parses `hoot.mx://<conferenceId>@<mixerAddress>`. Never throws; on failure says which part is wrong,
 * with a stable code and, when it can, the position of the first offending character.
 */
export function parseConferenceAddress(text: unknown): ParseConferenceAddressResult {
  if (typeof text !== 'string') {
    return fail(
      problem(
        ConferenceAddressErrorCode.NotAString,
        'address',
        `a conference address must be a string, not ${typeOf(text)}`,
      ),
    );
  }
  if (text.length === 0) {
    return fail(problem(ConferenceAddressErrorCode.Empty, 'address', 'the conference address is empty'));
  }
  if (text.length > CONFERENCE_ADDRESS_MAX_LENGTH) {
    return fail(
      problem(
        ConferenceAddressErrorCode.TooLong,
        'address',
        `the conference address is ${text.length} chars; at most ${CONFERENCE_ADDRESS_MAX_LENGTH} are allowed`,
        CONFERENCE_ADDRESS_MAX_LENGTH,
      ),
    );
  }
  const ws = WHITESPACE_OR_CONTROL.exec(text);
  if (ws) {
    return fail(
      problem(
        ConferenceAddressErrorCode.Whitespace,
        'address',
        `the conference address has whitespace or a control character (${show(ws[0])}) at index ${ws.index}`,
        ws.index,
      ),
    );
  }
  const schemeProblem = checkScheme(text);
  if (schemeProblem) return fail(schemeProblem);

  const rest = text.slice(CONFERENCE_ADDRESS_SCHEME.length);
  const base = CONFERENCE_ADDRESS_SCHEME.length;
  const at = rest.indexOf('@');
  if (at < 0) {
    return fail(
      problem(
        ConferenceAddressErrorCode.MissingSeparator,
        'separator',
        "the conference address has no '@' between the conference id and the mixer address",
      ),
    );
  }
  const secondAt = rest.indexOf('@', at + 1);
  if (secondAt >= 0) {
    return fail(
      problem(
        ConferenceAddressErrorCode.ExtraSeparator,
        'separator',
        `the conference address has a second '@' at index ${base + secondAt}; exactly one is allowed`,
        base + secondAt,
      ),
    );
  }
  const conferenceId = rest.slice(0, at);
  const idProblem = checkConferenceId(conferenceId, base);
  if (idProblem) return fail(idProblem);

  const mixerStart = base + at + 1;
  const mixerAddress = rest.slice(at + 1);
  const trailer = TRAILER_START.exec(mixerAddress);
  if (trailer) {
    const mixerProblem = checkMixerAddress(mixerAddress.slice(0, trailer.index), mixerStart);
    if (mixerProblem) return fail(mixerProblem);
    const what: Record<string, string> = { ':': 'a port', '/': 'a path', '?': 'a query', '#': 'a fragment' };
    return fail(
      problem(
        ConferenceAddressErrorCode.TrailingCharacters,
        'address',
        `unexpected ${show(trailer[0])} at index ${mixerStart + trailer.index} after the mixer address: ` +
          `${what[trailer[0]]} is not allowed`,
        mixerStart + trailer.index,
      ),
    );
  }
  const mixerProblem = checkMixerAddress(mixerAddress, mixerStart);
  if (mixerProblem) return fail(mixerProblem);
  return { ok: true, address: { conferenceId, mixerAddress } };
}

/** Formats an address; throws `InvalidConferenceAddressError` when a part would not parse back. */
export function formatConferenceAddress(address: ConferenceAddress): string {
  const { conferenceId, mixerAddress } = address;
  const p =
    typeof conferenceId !== 'string'
      ? problem(ConferenceAddressErrorCode.BadConferenceId, 'conferenceId', 'conference id must be a string')
      : typeof mixerAddress !== 'string'
        ? problem(
            ConferenceAddressErrorCode.BadMixerAddress,
            'mixerAddress',
            'mixer address must be a string',
          )
        : (checkConferenceId(conferenceId) ?? checkMixerAddress(mixerAddress));
  if (p) throw new InvalidConferenceAddressError({ code: p.code, part: p.part, message: p.message });
  return `${CONFERENCE_ADDRESS_SCHEME}${conferenceId}@${mixerAddress}`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
