import {
  CONFERENCE_ID_PATTERN,
  MEDIA_KINDS,
  STREAM_SOURCES,
  isMediaKind,
  isStreamSource,
  type MediaKind,
  type StreamSource,
} from '@hoot/domain';
import { CashErrorCode } from '../errors/cash-error-code';
import type { ClientMessage, ClientMessageType, IceCandidate, P2pSignal } from './messages';
import { ICE_CANDIDATE_LIMITS, SIGNAL_LIMITS } from './signaling.limits';

/** A parsed client frame, or why it was refused (a stable code; `re` when the frame's `id` was readable). */
export type ParseResult =
  { ok: true; message: ClientMessage } | { ok: false; code: CashErrorCode; message: string; re?: string };

const FIELDS: Record<ClientMessageType, readonly string[]> = {
  join: ['ticket', 'accessToken', 'roomId', 'displayName'],
  publish: ['kinds', 'sdpOffer'],
  unpublish: ['stream'],
  subscribe: ['publisherId', 'stream', 'sdpOffer'],
  unsubscribe: ['publisherId', 'stream'],
  ice: ['publisherId', 'stream', 'candidate'],
  'raise-hand': [],
  'lower-hand': [],
  approve: ['target'],
  deny: ['target'],
  kick: ['target'],
  unban: ['identity'],
  leave: [],
  end: [],
  'p2p-signal': ['signal'],
  chat: ['text'],
  record: ['action'],
};

/** Every type a client may send. */
export const CLIENT_MESSAGE_TYPES = Object.keys(FIELDS) as ClientMessageType[];

/** The UTF-8 size of a string in bytes (a lone surrogate counts as U+FFFD, 3 bytes, as encoders write it). */
export function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function text(o: Obj, field: string, max: number, options: { control?: boolean } = {}): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) throw new Invalid(`${field} must be a non-empty string`);
  if (v.length > max) throw new Invalid(`${field} is longer than ${max} characters`);
  if (!options.control && CONTROL.test(v)) throw new Invalid(`${field} contains control characters`);
  return v;
}

function optionalText(o: Obj, field: string, max: number): string | undefined {
  return o[field] === undefined ? undefined : text(o, field, max);
}

function kinds(o: Obj): MediaKind[] {
  const v = o['kinds'];
  if (!Array.isArray(v) || v.length === 0 || v.length > MEDIA_KINDS.length || !v.every(isMediaKind)) {
    throw new Invalid(`kinds must be a non-empty list of ${MEDIA_KINDS.join(', ')}`);
  }
  if (new Set(v).size !== v.length) throw new Invalid('kinds has duplicates');
  if (v.includes('screen') && v.length > 1)
    throw new Invalid('screen is published alone (a stream of its own, on its own connection)');
  return v;
}

/** The optional `stream` of a media message (absent: the camera). */
function stream(o: Obj): { stream?: StreamSource } {
  const v = o['stream'];
  if (v === undefined) return {};
  if (!isStreamSource(v)) throw new Invalid(`stream must be one of ${STREAM_SOURCES.join(', ')}`);
  return { stream: v };
}

/** An ICE candidate; `usernameFragment` is accepted and dropped (CASH does not use it). */
function candidate(v: unknown, field: string): IceCandidate {
  const { candidateMaxLength, sdpMidMaxLength, maxMLineIndex } = ICE_CANDIDATE_LIMITS;
  if (!isObject(v)) throw new Invalid(`${field} must be an object {candidate, sdpMid, sdpMLineIndex}`);
  const extra = Object.keys(v).filter(
    (k) => !['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'].includes(k),
  );
  if (extra.length) throw new Invalid(`${field} has unknown field(s): ${extra.join(', ')}`);
  if (typeof v['candidate'] !== 'string' || v['candidate'].length > candidateMaxLength)
    throw new Invalid(`${field}.candidate must be a string of at most ${candidateMaxLength} characters`);
  if (typeof v['sdpMid'] !== 'string' || v['sdpMid'].length > sdpMidMaxLength)
    throw new Invalid(`${field}.sdpMid must be a string of at most ${sdpMidMaxLength} characters`);
  const index = v['sdpMLineIndex'];
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > maxMLineIndex)
    throw new Invalid(`${field}.sdpMLineIndex must be an integer from 0 to ${maxMLineIndex}`);
  return { candidate: v['candidate'], sdpMid: v['sdpMid'], sdpMLineIndex: index };
}

function sdp(o: Obj, field: string): string {
  const v = text(o, field, SIGNAL_LIMITS.sdpMaxLength, { control: true });
  if (!/^v=0\r?\n/.test(v)) throw new Invalid(`${field} must be an SDP (starting with "v=0")`);
  return v;
}

function p2pSignal(v: unknown): P2pSignal {
  if (!isObject(v)) throw new Invalid('signal must be an object');
  if (JSON.stringify(v).length > SIGNAL_LIMITS.p2pSignalMaxBytes) throw new Invalid('signal is too large');
  const only = (allowed: string[]) => {
    const extra = Object.keys(v).filter((k) => !allowed.includes(k));
    if (extra.length) throw new Invalid(`signal has unknown field(s): ${extra.join(', ')}`);
  };
  switch (v['kind']) {
    case 'offer':
    case 'answer':
      only(['kind', 'sdp']);
      return { kind: v['kind'], sdp: sdp(v, 'sdp') };
    case 'candidate':
      only(['kind', 'candidate']);
      return { kind: 'candidate', candidate: candidate(v['candidate'], 'signal.candidate') };
    default:
      throw new Invalid('signal.kind must be offer, answer or candidate');
  }
}

/**
 * Parses one client frame. Strict: larger than `maxBytes` (UTF-8), not JSON, not an object, an unknown
 * `type`, a missing or malformed field, or any unknown field is refused with a stable code; nothing is
 * acted on. Pure: it never throws on any input.
 */
export function parseClientMessage(raw: string, maxBytes: number): ParseResult {
  if (raw.length > maxBytes || utf8ByteLength(raw) > maxBytes) {
    return {
      ok: false,
      code: CashErrorCode.MessageTooLarge,
      message: `messages are limited to ${maxBytes} bytes`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: CashErrorCode.MessageMalformed, message: 'the message is not valid JSON' };
  }
  if (!isObject(value)) {
    return { ok: false, code: CashErrorCode.MessageMalformed, message: 'the message must be a JSON object' };
  }
  let re: string | undefined;
  try {
    re = optionalText(value, 'id', SIGNAL_LIMITS.idMaxLength);
  } catch (error) {
    return { ok: false, code: CashErrorCode.InvalidMessage, message: (error as Error).message };
  }
  const type = value['type'];
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(FIELDS, type)) {
    return {
      ok: false,
      re,
      code: CashErrorCode.UnknownType,
      message: `type must be one of ${CLIENT_MESSAGE_TYPES.join(', ')}`,
    };
  }
  const t = type as ClientMessageType;
  const unknown = Object.keys(value).filter((k) => k !== 'type' && k !== 'id' && !FIELDS[t].includes(k));
  if (unknown.length) {
    return {
      ok: false,
      re,
      code: CashErrorCode.InvalidMessage,
      message: `unknown field(s) for ${t}: ${unknown.join(', ')}`,
    };
  }
  try {
    return { ok: true, message: build(t, value, re) };
  } catch (error) {
    if (error instanceof Invalid) {
      return { ok: false, re, code: CashErrorCode.InvalidMessage, message: `${t}: ${error.message}` };
    }
    throw error;
  }
}

function build(type: ClientMessageType, o: Obj, id: string | undefined): ClientMessage {
  const idPart = id === undefined ? {} : { id };
  const participant = (field: string) => text(o, field, SIGNAL_LIMITS.participantIdMaxLength);
  switch (type) {
    case 'join': {
      const displayName = optionalText(o, 'displayName', SIGNAL_LIMITS.displayNameMaxLength);
      const name = displayName !== undefined ? { displayName } : {};
      if (o['ticket'] !== undefined) {
        if (o['accessToken'] !== undefined || o['roomId'] !== undefined)
          throw new Invalid('join takes either ticket, or accessToken with roomId, not both');
        return { type, ...idPart, ticket: text(o, 'ticket', SIGNAL_LIMITS.ticketMaxLength), ...name };
      }
      if (o['accessToken'] === undefined) throw new Invalid('join needs ticket, or accessToken with roomId');
      const accessToken = text(o, 'accessToken', SIGNAL_LIMITS.accessTokenMaxLength);
      const roomId = text(o, 'roomId', SIGNAL_LIMITS.participantIdMaxLength);
      if (!CONFERENCE_ID_PATTERN.test(roomId)) throw new Invalid('roomId is not a valid conference id');
      return { type, ...idPart, accessToken, roomId, ...name };
    }
    case 'publish':
      return {
        type,
        ...idPart,
        kinds: kinds(o),
        ...(o['sdpOffer'] !== undefined ? { sdpOffer: sdp(o, 'sdpOffer') } : {}),
      };
    case 'subscribe':
      return {
        type,
        ...idPart,
        publisherId: participant('publisherId'),
        ...stream(o),
        sdpOffer: sdp(o, 'sdpOffer'),
      };
    case 'unsubscribe':
      return { type, ...idPart, publisherId: participant('publisherId'), ...stream(o) };
    case 'ice':
      return {
        type,
        ...idPart,
        publisherId: participant('publisherId'),
        ...stream(o),
        candidate: candidate(o['candidate'], 'candidate'),
      };
    case 'unpublish':
      return { type, ...idPart, ...stream(o) };
    case 'approve':
    case 'deny':
    case 'kick':
      return { type, ...idPart, target: participant('target') };
    case 'unban':
      return { type, ...idPart, identity: participant('identity') };
    case 'p2p-signal':
      return { type, ...idPart, signal: p2pSignal(o['signal']) };
    case 'chat': {
      const v = o['text'];
      if (typeof v !== 'string') throw new Invalid('text must be a string');
      if (v.length > SIGNAL_LIMITS.chatMaxLength)
        throw new Invalid(`text is longer than ${SIGNAL_LIMITS.chatMaxLength} characters`);
      return { type, ...idPart, text: v };
    }
    case 'record': {
      const action = o['action'];
      if (action !== 'start' && action !== 'stop') throw new Invalid('action must be "start" or "stop"');
      return { type, ...idPart, action };
    }
    case 'raise-hand':
    case 'lower-hand':
    case 'leave':
    case 'end':
      return { type, ...idPart };
  }
}
