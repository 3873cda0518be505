/** Injection tokens of CASH's parts. */
export const CASH_CONFIG = Symbol('CASH_CONFIG');
export const CASH_INFRASTRUCTURE = Symbol('CASH_INFRASTRUCTURE');
export const ROOM_MANAGER = Symbol('ROOM_MANAGER');
export const COREMX_STATE = Symbol('COREMX_STATE');
export const DRAIN_COORDINATOR = Symbol('DRAIN_COORDINATOR');
export const HEARTBEAT = Symbol('HEARTBEAT');
export const JOIN_TICKETS = Symbol('JOIN_TICKETS');
export const SERVICE_VERIFIER = Symbol('SERVICE_VERIFIER');
