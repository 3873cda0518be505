/** Stable codes of the registry's CoreMX membership API (CASH heartbeats). Never rename one, only add. */
export enum MembershipErrorCode {
  /** 404: no CoreMX with this id is registered. */
  NotFound = 'coremx.not-found',
  /** 403: the service credential is not bound to this CoreMX (another CASH, a registry, `ops`…). */
  NotBound = 'coremx.not-bound',
}

/** Stable codes of the registries' GCAS exchange (`POST /v1/gossip`). Never rename one, only add. */
export enum GossipErrorCode {
  /** 403: the caller's service account is not named like a registry node (`reg-<cloud>-<priority>`). */
  NotARegistry = 'gossip.not-a-registry',
  /** 400: the gossip message was rejected (malformed, or from the wrong origin). */
  MessageInvalid = 'gossip.message-invalid',
}

/** Stable codes of the web app the registry serves. Never rename one, only add. */
export enum WebAssetsErrorCode {
  /** 503: the web app is not built, so the registry has nothing to serve. */
  NotBuilt = 'web.not-built',
}
