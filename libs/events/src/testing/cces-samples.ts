import {
  COREMX_STREAM_KEY,
  type CcesDataOf,
  type CcesEventType,
  type CcesAnyPublishInput,
  type CcesPublishInput,
} from '../lib/cces';

/** One valid `data` per event type (typed: a new contract without a sample fails to compile). */
export const CCES_SAMPLE_DATA: { [T in CcesEventType]: CcesDataOf<T> } = {
  'room.reserved': {
    roomType: 'm2m',
    creator: 'acc-alice',
    address: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
    public: false,
    allowed: ['acc-bob', 'acc-carol'],
    maxParticipants: 50,
  },
  'room.started': {},
  'room.ended': { by: 'p-1', reason: 'ended', participantIds: ['p-1', 'p-2'] },
  'participant.joined': {
    participantId: 'p-1',
    identity: 'acc-alice',
    displayName: 'Alice Ångström',
    role: 'publisher',
    joinOrder: 1,
  },
  'participant.left': { participantId: 'p-3', identity: 'acc-carol', remaining: 2 },
  'participant.kicked': { participantId: 'p-3', identity: 'acc-carol', by: 'p-1', ticketId: 'tkt-9' },
  'participant.role-changed': { participantId: 'p-2', from: 'viewer', to: 'publisher' },
  'room.owner-changed': { from: null, to: 'p-1' },
  'hand.raised': { participantId: 'p-2', ownerId: 'p-1' },
  'hand.lowered': { participantId: 'p-2' },
  'hand.approved': { participantId: 'p-2', by: 'p-1' },
  'hand.denied': { participantId: 'p-2', by: 'p-1' },
  'stream.published': { participantId: 'p-1', kinds: ['audio', 'video'] },
  'stream.unpublished': { participantId: 'p-1', kinds: ['video'] },
  'chat.message': {
    messageId: 'c7',
    participantId: 'p-2',
    identity: 'acc-bob',
    displayName: 'Bob Ñandú',
    length: 11,
    text: 'hello, 世界 👋',
  },
  'room.rebuilt': { reason: 'media-server-restarted', participants: 2, streams: 1 },
  'coremx.state-changed': { from: 'starting', to: 'ready' },
  'conference.moved': {
    fromCoremxId: 'coremx-1',
    toCoremxId: 'coremx-2',
    toAddress: 'hoot.mx://standup@coremx-2.c1.hoot.mx',
    reason: 'drain',
  },
  'stream.hls.started': { participantId: 'p-1', stream: 'camera', streamId: 'Zk3u9x_QbL-2mV7aR1cT0w' },
  'stream.hls.stopped': {
    participantId: 'p-1',
    stream: 'camera',
    streamId: 'Zk3u9x_QbL-2mV7aR1cT0w',
    reason: 'unpublished',
  },
  'recording.started': {
    recordingId: 'rec-6f1c2b0e-9d4a-4c55-8a3e-0b7d2f1e9c10',
    startedBy: 'acc-alice',
    streams: 2,
  },
  'recording.stopped': {
    recordingId: 'rec-6f1c2b0e-9d4a-4c55-8a3e-0b7d2f1e9c10',
    reason: 'stopped',
    streams: 2,
  },
};

/** A sample publish request of `type` (conference `conferenceId`, or the CoreMX stream for CoreMX events). */
export function ccesSampleInput<T extends CcesEventType>(
  type: T,
  conferenceId = 'standup',
): CcesPublishInput<T> {
  return {
    type,
    conferenceId: type === 'coremx.state-changed' ? COREMX_STREAM_KEY : conferenceId,
    data: structuredClone(CCES_SAMPLE_DATA[type]),
  };
}

/** The events of one short conference, in the order CASH would publish them. */
export function ccesSampleSession(conferenceId: string): CcesAnyPublishInput[] {
  const address = `hoot.mx://${conferenceId}@coremx-1.c1.hoot.mx`;
  return [
    {
      type: 'room.reserved',
      conferenceId,
      data: {
        roomType: 'm2m',
        creator: 'acc-alice',
        address,
        public: false,
        allowed: null,
        maxParticipants: null,
      },
    },
    { type: 'room.started', conferenceId, data: {} },
    ccesSampleInput('participant.joined', conferenceId),
    ccesSampleInput('room.owner-changed', conferenceId),
    ccesSampleInput('stream.published', conferenceId),
    {
      type: 'participant.joined',
      conferenceId,
      data: { participantId: 'p-2', identity: 'acc-bob', displayName: 'Bob', role: 'viewer', joinOrder: 2 },
    },
    ccesSampleInput('hand.raised', conferenceId),
    ccesSampleInput('hand.approved', conferenceId),
    ccesSampleInput('participant.role-changed', conferenceId),
    { type: 'stream.published', conferenceId, data: { participantId: 'p-2', kinds: ['audio'] } },
    {
      type: 'participant.joined',
      conferenceId,
      data: {
        participantId: 'p-3',
        identity: 'acc-carol',
        displayName: 'Carol',
        role: 'viewer',
        joinOrder: 3,
      },
    },
    ccesSampleInput('hand.raised', conferenceId),
    ccesSampleInput('hand.lowered', conferenceId),
    ccesSampleInput('participant.kicked', conferenceId),
    ccesSampleInput('room.rebuilt', conferenceId),
    { type: 'stream.unpublished', conferenceId, data: { participantId: 'p-2', kinds: ['audio'] } },
    {
      type: 'participant.left',
      conferenceId,
      data: { participantId: 'p-2', identity: 'acc-bob', remaining: 1 },
    },
    ccesSampleInput('hand.denied', conferenceId),
    ccesSampleInput('stream.unpublished', conferenceId),
    { type: 'room.ended', conferenceId, data: { by: 'p-1', reason: 'ended', participantIds: ['p-1'] } },
  ];
}
