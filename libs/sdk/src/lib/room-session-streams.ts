import type { HlsStreamAccess, RecordingStatus, ServerPush, SignalAnswerOf } from '@hoot/contracts';
import {
  hlsKey,
  hlsSnapshotEvents,
  recordingSnapshotEvents,
  streamField,
  type RoomEvent,
} from './room-events';

/** The pushes about HLS streams and the recording. */
export type StreamsPush = Extract<
  ServerPush,
  { type: 'hls-stream' | 'hls-ended' | 'recording-started' | 'recording-stopped' }
>;

/**
 * What a room session knows beside the room view (issue 18): the live LL-HLS streams this participant
 * may play, each with its newest access (a token renewal replaces the `playlistUrl` of the same
 * `streamId`), and the recording under way. It survives reconnections: each new snapshot (`joined`) is
 * compared with it and only what changed becomes an event. Pure state; `RoomSession` emits the events.
 */
export class RoomStreams {
  private hls = new Map<string, HlsStreamAccess>();
  private current: RecordingStatus | undefined;

  get hlsStreams(): HlsStreamAccess[] {
    return [...this.hls.values()];
  }

  get recording(): RecordingStatus | undefined {
    return this.current;
  }

  /** Takes a `joined` snapshot's streams and recording; returns what changed. */
  snapshot(joined: Pick<SignalAnswerOf['join'], 'hls' | 'recording'>): RoomEvent[] {
    const events = [
      ...hlsSnapshotEvents(this.hls, joined.hls ?? []),
      ...recordingSnapshotEvents(this.current, joined.recording),
    ];
    this.hls = new Map((joined.hls ?? []).map((a) => [hlsKey(a.publisherId, a.stream), a]));
    this.current = joined.recording;
    return events;
  }

  /** Takes a push; returns its event (none for the end of a stream already replaced by a newer one). */
  push(push: StreamsPush): RoomEvent[] {
    switch (push.type) {
      case 'hls-stream': {
        const key = hlsKey(push.access.publisherId, push.access.stream);
        const renewed = this.hls.get(key)?.streamId === push.access.streamId;
        this.hls.set(key, push.access);
        return [{ event: 'hls-stream', payload: { access: push.access, renewed } }];
      }
      case 'hls-ended': {
        const key = hlsKey(push.publisherId, push.stream);
        if (this.hls.get(key)?.streamId !== push.streamId) return [];
        this.hls.delete(key);
        const payload = {
          publisherId: push.publisherId,
          ...streamField(push.stream),
          streamId: push.streamId,
        };
        return [{ event: 'hls-ended', payload }];
      }
      case 'recording-started':
        this.current = push.recording;
        return [{ event: 'recording-started', payload: { recording: push.recording } }];
      case 'recording-stopped':
        if (this.current?.recordingId === push.recordingId) this.current = undefined;
        return [
          { event: 'recording-stopped', payload: { recordingId: push.recordingId, reason: push.reason } },
        ];
    }
  }
}
