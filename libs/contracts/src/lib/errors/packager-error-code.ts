/** Stable codes of the packager's problem+json answers (apps/packager README lists them with their statuses). */
export enum PackagerErrorCode {
  /** 403: no `token` query parameter. */
  TokenMissing = 'hls.token-missing',
  /** 403: not a token, or a bad signature. */
  TokenInvalid = 'hls.token-invalid',
  /** 403: its `exp` has passed. */
  TokenExpired = 'hls.token-expired',
  /** 403: a valid token for another stream. */
  TokenWrongStream = 'hls.token-wrong-stream',
  /** 400: `_HLS_msn` / `_HLS_part` malformed, or too far ahead of the live edge (RFC 8216bis §6.2.5.2). */
  ReloadInvalid = 'hls.reload-invalid',
  /** 503: a blocking reload was not satisfied within its bounded wait (3 × target duration). */
  ReloadTimeout = 'hls.reload-timeout',
  /** 503: the stream exists but has no media yet (no keyframe received within the wait). */
  StreamNotReady = 'hls.stream-not-ready',
  /** 404: no such live stream (never started, or ended and swept). */
  StreamNotFound = 'hls.stream-not-found',
  /** 404: a part or segment that is not (or no longer) held. */
  MediaNotFound = 'hls.media-not-found',
  /** 401: the control API needs `Authorization: Bearer <service key>`. */
  ControlUnauthorized = 'packager.unauthorized',
  /** 503: the packager runs its maximum number of streams, or has no free RTP ports. */
  Full = 'packager.full',
  /** 503: recording is off on this packager (no `PACKAGER_RECORDING_DIR`). */
  RecordingUnavailable = 'packager.recording-unavailable',
  /** 507: the recording volume has reached `PACKAGER_RECORDING_MAX_BYTES` (or the disk is full). */
  StorageFull = 'packager.storage-full',
  /** 409: the stream is being recorded already. */
  RecordingExists = 'packager.recording-exists',
  /** 409: the stream is not being recorded. */
  NotRecording = 'packager.not-recording',
  /** 404: no such recorded stream (or a file of it not kept). */
  RecordingNotFound = 'hls.recording-not-found',
}
