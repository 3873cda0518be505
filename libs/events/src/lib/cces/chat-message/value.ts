import { defineCcesEvent } from '../cces-event-definition';
import { displayTextField, opaqueIdField } from '../cces-fields';
import { integer, object, optional, ValidationIssue, type Validator } from '../validation';

/**
 * How the domain bounds a chat message (libs/domain `ROOM_CHILD_LIMITS.maxTextLength`): at most 2000
 * characters, counted in code points. Kept here as a number so the contract does not depend on the
 * domain's tunables; at 4 UTF-8 bytes per code point the longest text is 8,000 bytes, so the whole event
 * stays well under `CCES_MAX_VALUE_BYTES` (16 KiB, checked by the contract spec).
 */
export const CHAT_TEXT_MAX_CODE_POINTS = 2000;

/**
 * What a chat text may hold: any character but the C0/C1 controls other than tab, line feed and
 * carriage return (a message may have several lines), and no lone surrogate (it has no UTF-8 form).
 */
const CHAT_TEXT_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The number of code points of `text` (what the domain and `length` count). */
export function chatTextLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * A chat text as CASH may publish it: 1–2000 code points, not only white space, no control character
 * but tab and line breaks, no lone surrogate. `sanitizeChatText` makes any text the domain accepted fit.
 */
export const chatTextField: Validator<string> = (value, path) => {
  if (typeof value !== 'string') throw new ValidationIssue(path, 'must be a string');
  // Cheap bound first: more UTF-16 units than twice the limit is too long whatever it holds.
  if (value.length > CHAT_TEXT_MAX_CODE_POINTS * 2 || chatTextLength(value) > CHAT_TEXT_MAX_CODE_POINTS)
    throw new ValidationIssue(path, `must have at most ${CHAT_TEXT_MAX_CODE_POINTS} characters`);
  if (value.trim().length === 0) throw new ValidationIssue(path, 'must not be empty or only white space');
  if (CHAT_TEXT_FORBIDDEN.test(value))
    throw new ValidationIssue(path, 'must not contain control characters other than tab and line breaks');
  if (LONE_SURROGATE.test(value)) throw new ValidationIssue(path, 'must not contain a lone surrogate');
  return value;
};

/**
 * The text of a message the room accepted, made to fit `chatTextField`: forbidden control characters
 * and lone surrogates become U+FFFD (same number of code points, so `length` is unchanged).
 */
export function sanitizeChatText(text: string): string {
  return text
    .replace(new RegExp(CHAT_TEXT_FORBIDDEN.source, 'g'), '\ufffd')
    .replace(new RegExp(LONE_SURROGATE.source, 'g'), '\ufffd');
}

export interface ChatMessageData {
  /** The message's id in its room (the room object's child id, `c<version>`). */
  messageId: string;
  /** The author's participation. */
  participantId: string;
  /** The author's account (token subject). */
  identity: string;
  /** The author's display name when it wrote. */
  displayName: string;
  /** Characters (code points) of the text, 1–2000; also when the text is not published. */
  length: number;
  /** The text (CHAT_EVENTS=text); absent when the CoreMX does not publish chat text. */
  text?: string;
  /** `true` when the CoreMX does not publish chat text (CHAT_EVENTS=metadata); absent otherwise. */
  textOmitted?: true;
}

const onlyTrue: Validator<true> = (value, path) => {
  if (value !== true) throw new ValidationIssue(path, 'must be true (or absent)');
  return true;
};

const shape = object<ChatMessageData>({
  messageId: opaqueIdField,
  participantId: opaqueIdField,
  identity: opaqueIdField,
  displayName: displayTextField(128),
  length: integer(1, CHAT_TEXT_MAX_CODE_POINTS),
  text: optional(chatTextField),
  textOmitted: optional(onlyTrue),
});

/** The shape, plus: exactly one of `text` and `textOmitted`, and `length` is the text's length. */
const chatMessageData: Validator<ChatMessageData> = (value, path) => {
  const data = shape(value, path);
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (data.text === undefined && data.textOmitted === undefined)
    throw new ValidationIssue(at('text'), 'is required (or textOmitted: true)');
  if (data.text !== undefined && data.textOmitted !== undefined)
    throw new ValidationIssue(at('textOmitted'), 'must be absent when text is present');
  if (data.text !== undefined && chatTextLength(data.text) !== data.length)
    throw new ValidationIssue(at('length'), 'must be the number of characters of text');
  return data;
};

export const CHAT_MESSAGE = defineCcesEvent({
  type: 'chat.message',
  schemaVersion: 1,
  scope: 'conference',
  summary:
    'A participant wrote in the room chat (with its text, or textOmitted when the CoreMX keeps no chat text).',
  data: chatMessageData,
});
