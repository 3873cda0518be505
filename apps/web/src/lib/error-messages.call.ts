import { CashErrorCode, SdkErrorCode } from '@hoot/contracts';
import { RoomErrorCode } from '@hoot/domain';
import { LATER, type ErrorMessagesPart } from './error-entry';

/** The words for the SDK's, CASH's signaling and the room rules' codes. */
export const CALL_MESSAGES = {
  // ---- SDK
  [SdkErrorCode.RegistryUnavailable]: {
    title: 'Offline',
    message: 'No registry could be reached. Check your connection.',
    retryable: true,
  },
  [SdkErrorCode.RegistryTimeout]: {
    title: 'Timed out',
    message: 'The registry did not answer in time.',
    retryable: true,
  },
  [SdkErrorCode.RegistryNetwork]: {
    title: 'Network error',
    message: 'The registry could not be reached.',
    retryable: true,
  },
  [SdkErrorCode.AnswerInvalid]: {
    title: 'Unexpected answer',
    message: 'The server answered something the app does not understand.',
  },
  [SdkErrorCode.MediaUnsupported]: {
    title: 'No WebRTC',
    message: 'This browser cannot do audio/video calls here (it needs WebRTC on a secure origin).',
  },
  // ---- signaling (CASH)
  [CashErrorCode.TicketInvalid]: {
    title: 'Invalid link',
    message: 'This join link is not valid.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketExpired]: {
    title: 'Link expired',
    message: 'This join link has expired. Join the conference again.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketRevoked]: {
    title: 'Link revoked',
    message: 'This join link was revoked.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketWrongCoreMx]: {
    title: 'Conference moved',
    message: 'The conference moved to another media server. Join it again.',
    leavesRoom: true,
    retryable: true,
  },
  [CashErrorCode.TicketKeysUnavailable]: {
    title: 'Join unavailable',
    message: `The media server cannot check tickets right now. ${LATER}`,
    retryable: true,
    leavesRoom: true,
  },
  [RoomErrorCode.TICKET_KICKED]: {
    title: 'Removed',
    message: 'You were removed from this conference and cannot rejoin with this link.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketUsed]: {
    title: 'Link used',
    message: 'This join link was used already. Join the conference again.',
    leavesRoom: true,
  },
  [RoomErrorCode.BANNED]: {
    title: 'Removed',
    message: 'You were removed from this room; its owner must let you back in.',
    leavesRoom: true,
  },
  [CashErrorCode.RateLimited]: {
    title: 'Slow down',
    message: 'Too many messages at once. Wait a moment.',
    retryable: true,
  },
  [CashErrorCode.TokenInvalid]: {
    title: 'Signed out',
    message: 'Your session is not valid. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.TokenExpired]: {
    title: 'Session expired',
    message: 'Your session has expired. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.TokenRevoked]: {
    title: 'Signed out',
    message: 'Your session was revoked.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.NotEntitled]: {
    title: 'Not invited',
    message: 'You are not on the list of this conference.',
    leavesRoom: true,
  },
  [CashErrorCode.RoomNotFound]: {
    title: 'Room not found',
    message: 'The room does not exist on its media server (it may have moved or ended).',
    leavesRoom: true,
  },
  [RoomErrorCode.ROOM_ENDED]: {
    title: 'Conference ended',
    message: 'This conference has ended.',
    leavesRoom: true,
  },
  [CashErrorCode.Overloaded]: {
    title: 'Media server busy',
    message: 'The media server is overloaded right now.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.Draining]: {
    title: 'Media server closing',
    message: 'The media server is shutting down; new rooms cannot start there.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.MediaUnavailable]: {
    title: 'Media unavailable',
    message: 'The media server is unavailable right now.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.EventsUnavailable]: {
    title: 'Temporarily unavailable',
    message: `The media server cannot record this right now. ${LATER}`,
    retryable: true,
  },
  [CashErrorCode.SdpRejected]: {
    title: 'Media refused',
    message: 'The media server refused our audio/video setup.',
  },
  [CashErrorCode.StreamNotReady]: {
    title: 'Stream not ready',
    message: 'That participant is not sending yet.',
  },
  [CashErrorCode.AlreadyPublishing]: {
    title: 'Already on air',
    message: 'You are already sending audio/video.',
  },
  [CashErrorCode.P2pSignalRefused]: { title: 'Call setup refused', message: 'The call could not be set up.' },
  [CashErrorCode.WrongRoomMedia]: {
    title: 'Not in this room',
    message: 'This kind of media is not used in this room.',
  },
  [CashErrorCode.NotJoined]: { title: 'Not connected', message: 'You are not connected to the room.' },
  [CashErrorCode.SessionReplaced]: {
    title: 'Joined elsewhere',
    message:
      'You joined this room in another window or tab, so this one left it. Try again to come back here.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.Internal]: {
    title: 'Something went wrong',
    message: 'The media server had a problem.',
    retryable: true,
  },
  // ---- room rules
  [RoomErrorCode.ROOM_FULL]: {
    title: 'Room full',
    message: 'Every speaker slot of the room is taken (9 at most).',
  },
  [RoomErrorCode.P2P_FULL]: {
    title: 'Call full',
    message: 'This call already has two people.',
    leavesRoom: true,
  },
  [RoomErrorCode.PARTICIPANT_LIMIT_REACHED]: {
    title: 'Room full',
    message: 'The room has reached its participant limit.',
    leavesRoom: true,
    retryable: true,
  },
  [RoomErrorCode.NOT_ALLOWED]: {
    title: 'Not invited',
    message: 'You are not allowed in this room.',
    leavesRoom: true,
  },
  [RoomErrorCode.NOT_OWNER]: {
    title: 'Owner only',
    message: 'Only the room owner (its oldest speaker) may do this.',
  },
  [RoomErrorCode.NOT_A_PUBLISHER]: { title: 'Speakers only', message: 'Only speakers may do this.' },
  [RoomErrorCode.ALREADY_PUBLISHER]: { title: 'Already a speaker', message: 'You are a speaker already.' },
  [RoomErrorCode.VIDEO_NOT_ALLOWED]: { title: 'Audio only', message: 'This room is audio only.' },
  [RoomErrorCode.HAND_ALREADY_RAISED]: { title: 'Hand raised', message: 'Your hand is raised already.' },
  [RoomErrorCode.HAND_NOT_RAISED]: {
    title: 'No request',
    message: 'That participant has not asked to speak (any more).',
  },
  [RoomErrorCode.CANNOT_KICK_SELF]: {
    title: 'Not possible',
    message: 'You cannot remove yourself; leave instead.',
  },
  [RoomErrorCode.CANNOT_KICK_OWNER]: { title: 'Not possible', message: 'Nobody can remove the room owner.' },
  [RoomErrorCode.CANNOT_KICK_CREATOR]: {
    title: 'Not possible',
    message: "Nobody can remove the conference's creator.",
  },
  [RoomErrorCode.NOT_CREATOR]: {
    title: 'Creator only',
    message: "Only the conference's creator may end it for everyone.",
  },
  [RoomErrorCode.TARGET_NOT_IN_ROOM]: {
    title: 'Already gone',
    message: 'That participant has left the room.',
  },
  [RoomErrorCode.SCREEN_SHARE_NOT_ALLOWED]: {
    title: 'No screen sharing',
    message: 'Screens cannot be shared in this room.',
  },
  [RoomErrorCode.SCREEN_SHARE_TAKEN]: {
    title: 'Someone is presenting',
    message: 'Someone else is sharing a screen. You can share yours when they stop.',
  },
  [SdkErrorCode.ScreenShareUnavailable]: {
    title: 'Screen sharing unavailable',
    message: 'Your screen cannot be shared here right now.',
  },
  [SdkErrorCode.ScreenShareCancelled]: {
    title: 'Not shared',
    message: 'Screen sharing was cancelled; nothing is shared.',
  },
  [RoomErrorCode.CHILD_TEXT_EMPTY]: { title: 'Empty message', message: 'Type something first.' },
  [RoomErrorCode.CHILD_TEXT_TOO_LONG]: {
    title: 'Too long',
    message: 'That message is too long (2000 characters at most).',
  },
} satisfies ErrorMessagesPart;
