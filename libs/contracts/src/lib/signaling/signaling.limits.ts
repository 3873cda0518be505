/** Limits on what a client may send (CASH's media lib checks SDP and candidates in depth). */
export const SIGNAL_LIMITS = {
  /** A client's correlation id, echoed as `re`. */
  idMaxLength: 64,
  /** A join ticket (a JWT): the verifier refuses more than 8 KiB anyway. */
  ticketMaxLength: 8 * 1024,
  /** A user access token (a JWT), given with `roomId` instead of a ticket. */
  accessTokenMaxLength: 8 * 1024,
  /** Participant ids are `p-<uuid>`; other ids we never issued are refused early. */
  participantIdMaxLength: 128,
  displayNameMaxLength: 100,
  /** An offer with a dozen media sections is ≈ 20 KiB (same limit as the media lib). */
  sdpMaxLength: 128 * 1024,
  /** A chat message (the domain counts code points and refuses more than 2000). */
  chatMaxLength: 8_000,
  /** A p2p signal (an SDP or a candidate), as JSON. */
  p2pSignalMaxBytes: 160 * 1024,
} as const;

/** Limits on an ICE candidate (`IceCandidate`) in `ice` and in a p2p `candidate` signal. */
export const ICE_CANDIDATE_LIMITS = {
  candidateMaxLength: 1024,
  sdpMidMaxLength: 64,
  /** `sdpMLineIndex` is an integer from 0 to this. */
  maxMLineIndex: 255,
} as const;

/** The close codes of a signaling connection (CASH closes with them; clients tell why they were closed). */
export const SignalingCloseCode = {
  /** The client left (`leave`). */
  Left: 1000,
  /** The server is shutting down (drain deadline, restart): join again. */
  GoingAway: 1001,
  /** The connection dropped without a close frame (crash, network). */
  Abnormal: 1006,
  /** The room ended for everyone. */
  RoomEnded: 4000,
  /** This participant was kicked. */
  Kicked: 4003,
  /** No `join` arrived in time. */
  JoinTimeout: 4008,
  /** The ticket or token the session joined with (or every token of its account) was revoked. */
  Revoked: 4001,
  /** Rate limits exceeded persistently (or too many connections not joined from one address). */
  RateLimited: 4029,
  /** A newer session of the same account joined the room and took this one's place (another tab, a reload). */
  Replaced: 4009,
} as const;

export type SignalingCloseCode = (typeof SignalingCloseCode)[keyof typeof SignalingCloseCode];
