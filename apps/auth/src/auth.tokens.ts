/** Injection tokens of the auth service's ports. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const ACCOUNT_STORE = Symbol('ACCOUNT_STORE');
export const API_KEY_STORE = Symbol('API_KEY_STORE');
export const REVOCATION_STORE = Symbol('REVOCATION_STORE');
export const TICKET_KEY_STORE = Symbol('TICKET_KEY_STORE');
export const REVOCATION_PUBLISHER = Symbol('REVOCATION_PUBLISHER');
export const CLOCK = Symbol('CLOCK');
export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
