import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; a plain playlist is sub-ms, a blocking reload waits up to a part or a segment. */
const BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];

/** The packager's Prometheus metrics, in a registry of its own. */
export class PackagerMetrics {
  readonly registry = new Registry();
  readonly requests: Histogram<'route' | 'status_code'>;
  readonly denied: Counter<'code'>;
  readonly streamsStarted: Counter;
  readonly streamsEnded: Counter;
  readonly parts: Counter;
  readonly segments: Counter;
  readonly liveStreams: Gauge;
  readonly waiting: Gauge;
  readonly recordingBytes: Gauge;
  readonly recordingsActive: Gauge;

  constructor(collect: {
    liveStreams: () => number;
    waiting: () => number;
    /** Bytes the recording folder holds (0 when recording is off). */
    recordingBytes?: () => number;
    /** Streams being recorded now. */
    recordingsActive?: () => number;
  }) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requests = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests served, by route and status (blocking reloads included)',
      labelNames: ['route', 'status_code'],
      buckets: BUCKETS_S,
      registers,
    });
    this.denied = new Counter({
      name: 'packager_viewer_denied_total',
      help: 'Viewer requests refused for their token, by code',
      labelNames: ['code'],
      registers,
    });
    this.streamsStarted = new Counter({
      name: 'packager_streams_started_total',
      help: 'Streams started',
      registers,
    });
    this.streamsEnded = new Counter({
      name: 'packager_streams_ended_total',
      help: 'Streams ended',
      registers,
    });
    this.parts = new Counter({ name: 'packager_parts_total', help: 'LL-HLS parts published', registers });
    this.segments = new Counter({
      name: 'packager_segments_total',
      help: 'HLS segments completed',
      registers,
    });
    this.liveStreams = new Gauge({
      name: 'packager_live_streams',
      help: 'Streams being packaged now',
      registers,
      collect() {
        this.set(collect.liveStreams());
      },
    });
    this.waiting = new Gauge({
      name: 'packager_blocked_requests',
      help: 'Requests held now (blocking reloads, preload-hinted parts)',
      registers,
      collect() {
        this.set(collect.waiting());
      },
    });
    this.recordingBytes = new Gauge({
      name: 'packager_recording_used_bytes',
      help: 'Bytes held in the recording folder (PACKAGER_RECORDING_MAX_BYTES is its limit)',
      registers,
      collect() {
        this.set(collect.recordingBytes?.() ?? 0);
      },
    });
    this.recordingsActive = new Gauge({
      name: 'packager_recordings_active',
      help: 'Streams being recorded now',
      registers,
      collect() {
        this.set(collect.recordingsActive?.() ?? 0);
      },
    });
  }
}
