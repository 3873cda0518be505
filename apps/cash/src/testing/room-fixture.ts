import type { MediaKind } from '@hoot/domain';
import { InMemoryCcesPublisher } from '@hoot/events/testing';
import { FakeMediaPort } from '@hoot/media/testing';
import { FakeClock } from '@hoot/testing';
import { RoomManager, type RoomManagerOptions } from '../rooms/room-manager';

export const TEST_COREMX_ID = 'coremx-test';
export const TEST_MIXER_ADDRESS = 'coremx-test.c1.hoot.mx';

/** A browser-like offer with the given sections (FakeMediaPort answers one section per offered one). */
export function sdpOffer(kinds: MediaKind[] = ['audio', 'video']): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0 0'];
  // A shared screen is a video section on a connection of its own.
  kinds.forEach((kind, i) =>
    lines.push(`m=${kind === 'screen' ? 'video' : kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${i}`, 'a=sendrecv'),
  );
  return `${lines.join('\r\n')}\r\n`;
}

export interface RoomFixture {
  clock: FakeClock;
  media: FakeMediaPort;
  events: InMemoryCcesPublisher;
  rooms: RoomManager;
}

/** A RoomManager on fakes, with participant ids p-1, p-2, … in join order. */
export function roomFixture(overrides: Partial<RoomManagerOptions> = {}): RoomFixture {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const media = new FakeMediaPort();
  const events = new InMemoryCcesPublisher(TEST_COREMX_ID, clock);
  let n = 0;
  const rooms = new RoomManager({
    media,
    events,
    clock,
    coremxId: TEST_COREMX_ID,
    mixerAddress: TEST_MIXER_ADDRESS,
    timeouts: { emptyTimeoutMs: 60_000, reservationTimeoutMs: 600_000 },
    sweepIntervalMs: 1_000,
    newParticipantId: () => `p-${++n}`,
    ...overrides,
  });
  return { clock, media, events, rooms };
}
