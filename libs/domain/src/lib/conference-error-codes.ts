/**
 * Stable codes of the registry's conference API (the `code` of a problem+json body). Clients branch on
 * these, never on messages: never rename one, only add.
 */
export enum ConferenceErrorCode {
  /** 400: the `hoot.mx://` address is malformed (`details.part` says which part, `details.reason` why). */
  AddressInvalid = 'conference.address-invalid',
  /** 400: an `allowed` entry names no account (`details.unknown` lists them). */
  UnknownIdentity = 'conference.unknown-identity',
  /** 404: no such conference, or one the caller may not see (existence is not disclosed). */
  NotFound = 'conference.not-found',
  /** 409: the id belongs to another account's conference. */
  IdTaken = 'conference.id-taken',
  /** 403: the caller may see the conference but is not its owner (end). */
  NotOwner = 'conference.not-owner',
  /** 403: the caller is not the owner, not allowed, and the conference is not public (join). */
  NotEntitled = 'conference.not-entitled',
  /** 403: the account's plan allows no more open conferences (`details.limit`). */
  LimitReached = 'conference.limit-reached',
  /** 410: the conference has ended. */
  Ended = 'conference.ended',
  /** 503 + Retry-After: its CoreMX cannot take it now (down and not re-homed yet, draining, overloaded). */
  CoreMxUnavailable = 'conference.coremx-unavailable',
  /** 503 + Retry-After: no CoreMX can host a new conference now. */
  NoCoreMxAvailable = 'conference.no-coremx-available',
  /** 503 + Retry-After: the join ticket could not be issued (auth unreachable). */
  TicketUnavailable = 'conference.ticket-unavailable',
  /** 429 + Retry-After: too many creations or joins by this identity. */
  RateLimited = 'conference.rate-limited',
  /** 409: nobody is in the conference's room now, so there is nothing to record (recording start/stop). */
  NotLive = 'conference.not-live',
}
