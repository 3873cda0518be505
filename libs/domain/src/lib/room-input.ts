/** Input checks shared by the room functions (internal to the domain: not exported from the lib). */

/** Longest participant id, identity, ticket id accepted. */
export const ROOM_ID_FIELD_MAX_LENGTH = 128;
/** Longest display name, in characters. */
export const DISPLAY_NAME_MAX_LENGTH = 100;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Undefined when `value` is a usable id (participant, identity, ticket); else why not. */
export function checkIdField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.length === 0) return `${field} is empty`;
  if (value.length > ROOM_ID_FIELD_MAX_LENGTH)
    return `${field} is longer than ${ROOM_ID_FIELD_MAX_LENGTH} chars`;
  if (CONTROL.test(value) || value.trim() !== value)
    return `${field} has control characters or surrounding spaces`;
  return undefined;
}

export function checkTimestamp(value: unknown, field: string): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? undefined
    : `${field} must be a finite number of ms >= 0`;
}
