/**
 * Kurento's error codes (KurentoException.hpp). Every server error reaches the client as a JSON-RPC
 * error `{ code, message, data: { type } }` where `type` is the name below.
 */
export const KURENTO_ERROR_CODES = {
  MARSHALL_ERROR: 40001,
  UNEXPECTED_ERROR: 40003,
  CONNECT_ERROR: 40004,
  UNSUPPORTED_MEDIA_TYPE: 40005,
  NOT_IMPLEMENTED: 40006,
  INVALID_SESSION: 40007,
  MALFORMED_TRANSACTION: 40008,
  NOT_ENOUGH_RESOURCES: 40009,
  MEDIA_OBJECT_TYPE_NOT_FOUND: 40100,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND: 40104,
  MEDIA_OBJECT_METHOD_NOT_FOUND: 40105,
  MEDIA_OBJECT_EVENT_NOT_SUPPORTED: 40106,
  MEDIA_OBJECT_ILLEGAL_PARAM_ERROR: 40107,
  MEDIA_OBJECT_NOT_AVAILABLE: 40108,
  MEDIA_OBJECT_TAG_KEY_NOT_FOUND: 40110,
  MEDIA_OBJECT_OPERATION_NOT_SUPPORTED: 40111,
  SDP_CREATE_ERROR: 40200,
  SDP_PARSE_ERROR: 40201,
  SDP_END_POINT_NO_LOCAL_SDP_ERROR: 40202,
  SDP_END_POINT_NO_REMOTE_SDP_ERROR: 40203,
  SDP_END_POINT_GENERATE_OFFER_ERROR: 40204,
  SDP_END_POINT_PROCESS_OFFER_ERROR: 40205,
  SDP_END_POINT_PROCESS_ANSWER_ERROR: 40206,
  SDP_END_POINT_ALREADY_NEGOTIATED: 40208,
  SDP_END_POINT_NOT_OFFER_GENERATED: 40209,
  SDP_END_POINT_ANSWER_ALREADY_PROCCESED: 40210,
  ICE_GATHER_CANDIDATES_ERROR: 40400,
  ICE_ADD_CANDIDATE_ERROR: 40401,
} as const;

export type KurentoErrorType = keyof typeof KURENTO_ERROR_CODES;

const TYPE_BY_CODE = new Map<number, KurentoErrorType>(
  Object.entries(KURENTO_ERROR_CODES).map(([type, code]) => [code, type as KurentoErrorType]),
);

/** The type name Kurento reports for a code (`UNDEFINED` for codes it does not know). */
export function kurentoErrorTypeOf(code: number): string {
  return TYPE_BY_CODE.get(code) ?? 'UNDEFINED';
}

/** JSON-RPC 2.0's own error codes, used before a request reaches Kurento's handlers. */
export const JSON_RPC_ERROR_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
} as const;

/** An error with the code and the type name the client sees. */
export class KurentoError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly type: string = kurentoErrorTypeOf(code),
  ) {
    super(message);
    this.name = 'KurentoError';
  }

  static of(type: KurentoErrorType, message: string): KurentoError {
    return new KurentoError(KURENTO_ERROR_CODES[type], message, type);
  }

  toJson(): { code: number; message: string; data: { type: string } } {
    return { code: this.code, message: this.message, data: { type: this.type } };
  }
}
