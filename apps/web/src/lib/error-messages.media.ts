import { CashErrorCode, ConferenceErrorCode, PackagerErrorCode } from '@hoot/contracts';
import { LATER, type ErrorMessagesPart } from './error-entry';

/** The words for live HLS (the packager's viewer answers) and recording (CASH, the registry, the packager). */
export const MEDIA_MESSAGES = {
  // ---- recording (signaling and the registry)
  [CashErrorCode.RecordingUnavailable]: {
    title: 'No recording here',
    message: 'This conference cannot be recorded on its media server.',
  },
  [CashErrorCode.RecordingStorageFull]: {
    title: 'Recording storage full',
    message: 'There is no room left to keep recordings. The call goes on without recording.',
  },
  [CashErrorCode.AlreadyRecording]: { title: 'Recording already', message: 'The room is being recorded.' },
  [CashErrorCode.NotRecording]: { title: 'Not recording', message: 'The room is not being recorded.' },
  [ConferenceErrorCode.NotLive]: {
    title: 'Nobody there',
    message: 'Nobody is in the conference now, so there is nothing to record.',
  },
  // ---- the packager (live HLS and recordings): what a player meets
  [PackagerErrorCode.TokenMissing]: {
    title: 'Not allowed',
    message: 'This stream can only be watched from inside the conference.',
  },
  [PackagerErrorCode.TokenInvalid]: {
    title: 'Not allowed',
    message: 'This stream can only be watched from inside the conference.',
  },
  [PackagerErrorCode.TokenExpired]: {
    title: 'Link expired',
    message: 'The link to this stream has expired. Open it again from the conference.',
  },
  [PackagerErrorCode.TokenWrongStream]: {
    title: 'Not allowed',
    message: 'This link is for another stream.',
  },
  [PackagerErrorCode.ReloadInvalid]: {
    title: 'Player error',
    message: 'The player asked for the stream wrongly.',
  },
  [PackagerErrorCode.ReloadTimeout]: {
    title: 'Stream stalled',
    message: 'The live stream has not moved for a while.',
    retryable: true,
  },
  [PackagerErrorCode.StreamNotReady]: {
    title: 'Starting',
    message: 'The live stream is starting. ' + LATER,
    retryable: true,
  },
  [PackagerErrorCode.StreamNotFound]: { title: 'Stream over', message: 'This live stream has ended.' },
  [PackagerErrorCode.MediaNotFound]: {
    title: 'Stream gap',
    message: 'Part of the stream is no longer kept.',
  },
  [PackagerErrorCode.ControlUnauthorized]: null,
  [PackagerErrorCode.Full]: {
    title: 'Busy',
    message: 'The media server streams as much as it can now. ' + LATER,
    retryable: true,
  },
  [PackagerErrorCode.RecordingUnavailable]: {
    title: 'No recording here',
    message: 'This conference cannot be recorded on its media server.',
  },
  [PackagerErrorCode.StorageFull]: {
    title: 'Recording storage full',
    message: 'There is no room left to keep recordings.',
  },
  [PackagerErrorCode.RecordingExists]: {
    title: 'Recording already',
    message: 'The stream is being recorded.',
  },
  [PackagerErrorCode.NotRecording]: { title: 'Not recording', message: 'The stream is not being recorded.' },
  [PackagerErrorCode.RecordingNotFound]: {
    title: 'Recording not found',
    message: 'This recording is not kept (any more).',
  },
} satisfies ErrorMessagesPart;
