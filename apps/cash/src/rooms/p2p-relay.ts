/**
 * The relay of a p2p call's signals (offer, answer, candidates) between its two sides: CASH only passes
 * them on, the media goes peer to peer. Who may send what is a pure decision (`p2pSignalRecipient`): only
 * in a p2p room, only by someone in it, only once the other side has joined, and the offer only from the
 * callee to the caller (seed 001). The relay runs in the room's queue so it sees the room as its commands
 * left it.
 */
import { RoomErrorCode, findParticipant, p2pPeers, type Room } from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import type { ServerMessage } from '../signaling/signaling-protocol';
import { runInQueue } from './room-queue';
import type { RoomTable } from './room-table';

export type P2pSignal = Extract<ServerMessage, { type: 'p2p-signal' }>['signal'];

/** The participant a p2p signal from `participantId` goes to; a CashError when it may not be sent. */
export function p2pSignalRecipient(room: Room, participantId: string, signal: P2pSignal): string {
  if (room.type !== 'p2p') {
    throw new CashError(CashErrorCode.WrongRoomMedia, 'p2p-signal is only for p2p calls');
  }
  if (!findParticipant(room, participantId))
    throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
  const peers = p2pPeers(room);
  if (!peers) throw new CashError(CashErrorCode.P2pSignalRefused, 'the other side has not joined yet');
  if (signal.kind === 'offer' && participantId !== peers.offererId) {
    throw new CashError(CashErrorCode.P2pSignalRefused, 'the callee sends the offer to the caller');
  }
  return participantId === peers.callerId ? peers.calleeId : peers.callerId;
}

/** Relays a p2p signal to the other side of the call, in the room's queue. */
export async function relayP2pSignal(
  table: RoomTable,
  roomId: string,
  participantId: string,
  signal: P2pSignal,
): Promise<void> {
  const holder = table.require(roomId);
  await runInQueue(holder, async () => {
    const to = p2pSignalRecipient(holder.room, participantId, signal);
    holder.channels.get(to)?.send({ type: 'p2p-signal', from: participantId, signal });
  });
}
