/**
 * Stable codes of the errors the SDK itself raises (beside the server's problem+json codes, which
 * `RegistryHttpError` carries unchanged). Callers branch on these, never on messages: only add.
 */
export enum SdkErrorCode {
  /** The registry list given to the SDK is empty or malformed (bad id, bad URL, duplicate id). */
  RegistryListInvalid = 'sdk.registry-list-invalid',
  /** A client option is out of range (timeout, backoff, probe interval). */
  OptionsInvalid = 'sdk.options-invalid',
  /** A call is malformed (empty method, a path that is not absolute like `/v1/...`). */
  RequestInvalid = 'sdk.request-invalid',
  /** No registry answered the call (every attempt failed); the error lists each attempt. */
  RegistryUnavailable = 'sdk.registry-unavailable',
  /** One attempt did not get an answer within the per-call timeout. */
  RegistryTimeout = 'sdk.registry-timeout',
  /** One attempt failed below HTTP (connection refused, DNS, reset). */
  RegistryNetwork = 'sdk.registry-network',
  /** No seed answered the iroulette call with a usable registry list. */
  DiscoveryFailed = 'sdk.discovery-failed',
  /** A server answer is not what the contract says (unparsable or wrong shape). */
  AnswerInvalid = 'sdk.answer-invalid',
  /** The signaling WebSocket could not be opened (refused, closed or timed out before it opened). */
  SignalingConnectFailed = 'sdk.signaling-connect-failed',
  /** The signaling connection closed while a request waited for its answer. */
  SignalingClosed = 'sdk.signaling-closed',
  /** A signaling request got no answer in time. */
  SignalingTimeout = 'sdk.signaling-timeout',
  /** A room command was given while the session is not connected (reconnecting, or closed). */
  RoomNotConnected = 'sdk.room-not-connected',
  /** The session lost its connection and could not join again within its reconnection budget. */
  ReconnectFailed = 'sdk.reconnect-failed',
  /** CASH closed the session because its credentials were revoked (signed out everywhere, account disabled). */
  CredentialsRevoked = 'sdk.credentials-revoked',
  /**
   * A media step failed in the browser (an SDP the browser refused, a connection it closed); the session
   * goes on and rebuilds the connection. The browser's own error is the `cause`, never the message.
   */
  MediaFailed = 'sdk.media-failed',
  /**
   * A screen cannot be shared here and now: the room type has no screen share (a2m, p2p), we are not a
   * publisher, someone else shares already, or the browser has no screen capture.
   */
  ScreenShareUnavailable = 'sdk.screen-share-unavailable',
  /** The user closed the browser's screen picker or refused it: nothing is shared. */
  ScreenShareCancelled = 'sdk.screen-share-cancelled',
  /**
   * The camera or microphone picked mid-call could not be started or sent (in use by another app,
   * unplugged, refused); the device in use goes on. The browser's own error is the `cause`.
   */
  DeviceUnavailable = 'sdk.device-unavailable',
  /** The camera or microphone in use was unplugged and no other one of its kind could be started. */
  DeviceLost = 'sdk.device-lost',
  /** The environment has no WebRTC (Node, an old browser, an insecure origin): `MediaUnsupportedError`. */
  MediaUnsupported = 'sdk.media-unsupported',
}
