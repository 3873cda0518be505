import type { Clock } from '@hoot/domain';
import { ViewerAccess } from '../packager/viewer-access';
import type { RoomManagerOptions } from '../rooms/room-manager';
import { FakePackager } from './fake-packager';
import { roomFixture, type RoomFixture } from './room-fixture';

export const TEST_PACKAGER_PUBLIC_URL = 'https://hls.coremx-test.example';
export const TEST_VIEWER_TOKEN_KEY = Buffer.from('unit-test-viewer-token-key-0123456789abcdef');
export const TEST_RECORDING_POLL_MS = 2_000;

export interface PackagerRoomFixture extends RoomFixture {
  packager: FakePackager;
}

/** A RoomManager on fakes (see `roomFixture`) with a fake packager: viewer tokens of 600 s, polls every 2 s. */
export function packagerRoomFixture(overrides: Partial<RoomManagerOptions> = {}): PackagerRoomFixture {
  const packager = new FakePackager();
  const ref: { clock?: Clock } = {};
  const access = new ViewerAccess({
    publicUrl: TEST_PACKAGER_PUBLIC_URL,
    viewerTokenKey: TEST_VIEWER_TOKEN_KEY,
    ttlS: 600,
    clock: {
      now: () => ref.clock!.now(),
      setTimeout: (cb, ms) => ref.clock!.setTimeout(cb, ms),
      clearTimeout: (h) => ref.clock!.clearTimeout(h),
    },
  });
  const f = roomFixture({
    packager: { client: packager, access, recordingPollMs: TEST_RECORDING_POLL_MS },
    ...overrides,
  });
  ref.clock = f.clock;
  return { ...f, packager };
}
