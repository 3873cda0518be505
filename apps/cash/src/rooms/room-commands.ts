/**
 * Pure decisions of the room lifecycle, with no state and no I/O: whether a reservation's move is
 * consistent (`checkMove`), the `conference.moved` event a re-homed room journals after `room.reserved`
 * (`conferenceMovedInput`), and the full room command a participant's signaling command stands for
 * (`participantRoomCommand`: who does it, and when).
 */
import { RoomErrorCode, formatConferenceAddress, type Room, type RoomCommand } from '@hoot/domain';
import type { CcesAnyPublishInput } from '@hoot/events';
import { CashError, CashErrorCode } from '../cash-error';
import type { ReserveInput } from './room-types';

/** A room command a participant sends over signaling (`RoomManager.command`). */
export type ParticipantCommand =
  | { type: 'raiseHand' | 'lowerHand' | 'end' }
  | { type: 'approve' | 'deny' | 'kick'; target: string }
  | { type: 'unban'; identity: string }
  | { type: 'addChild'; text: string };

/**
 * Refuses a reserve that says the conference moves from this very CoreMX (`MOVED_FROM_SELF`), or that
 * names its returning people twice (`returning` and `movedFrom.participants`: `INVALID_ROOM`).
 */
export function checkMove(input: Pick<ReserveInput, 'movedFrom' | 'returning'>, coremxId: string): void {
  if (input.returning !== undefined && input.movedFrom?.participants !== undefined) {
    throw new CashError(
      RoomErrorCode.INVALID_ROOM,
      'returning and movedFrom.participants name the same people: send one of them',
    );
  }
  if (input.movedFrom?.coremxId === coremxId) {
    throw new CashError(
      CashErrorCode.MovedFromSelf,
      `movedFrom.coremxId is this CoreMX (${coremxId}): a conference cannot move to where it already is`,
    );
  }
}

/** The `conference.moved` input of a room re-homed here from `movedFrom` (none without a move). */
export function conferenceMovedInput(
  room: Room,
  movedFrom: ReserveInput['movedFrom'],
  here: { coremxId: string; mixerAddress: string },
): CcesAnyPublishInput[] {
  if (!movedFrom) return [];
  return [
    {
      type: 'conference.moved',
      conferenceId: room.id,
      occurredAt: new Date(room.createdAt),
      data: {
        fromCoremxId: movedFrom.coremxId,
        toCoremxId: here.coremxId,
        toAddress: formatConferenceAddress({ conferenceId: room.id, mixerAddress: here.mixerAddress }),
        reason: movedFrom.reason,
      },
    },
  ];
}

/** The room command `participantId` asks for at `at`. */
export function participantRoomCommand(
  command: ParticipantCommand,
  participantId: string,
  at: number,
): RoomCommand {
  switch (command.type) {
    case 'raiseHand':
    case 'lowerHand':
      return { type: command.type, at, participantId };
    case 'end':
      return { type: 'end', at, by: participantId };
    case 'approve':
    case 'deny':
    case 'kick':
      return { type: command.type, at, by: participantId, target: command.target };
    case 'unban':
      return { type: 'unban', at, by: participantId, identity: command.identity };
    case 'addChild':
      return { type: 'addChild', at, by: participantId, text: command.text };
  }
}
