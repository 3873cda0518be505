import {
  infraPath,
  ManagedProcess,
  startPackager as startPackagerProcess,
  type RunningPackager,
} from '@hoot/testing';

export type { RunningPackager };

/** The real packager for CASH's specs: fresh keys, and a temporary recording folder of its own. */
export function startPackager(env: Record<string, string> = {}): Promise<RunningPackager> {
  return startPackagerProcess({ env, recordingDir: true });
}

/**
 * A camera made of ffmpeg: a test pattern as H.264 Constrained Baseline (a keyframe every second, SPS/PPS
 * with each) and a sine as Opus, sent as plain RTP to two local ports at real-time pace.
 */
export function startRtpSource(videoPort: number, audioPort: number): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: `rtp-source:${videoPort}`,
    command: 'ffmpeg',
    args: [
      ...['-hide_banner', '-nostdin', '-loglevel', 'warning'],
      ...['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency'],
      ...['-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '30', '-b:v', '300k'],
      ...['-x264-params', 'repeat-headers=1', '-f', 'rtp', '-payload_type', '96'],
      `rtp://127.0.0.1:${videoPort}`,
      ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '48k', '-f', 'rtp', '-payload_type', '111'],
      `rtp://127.0.0.1:${audioPort}`,
    ],
    logFile: infraPath('test-logs', `cash-rtp-source-${videoPort}.log`),
  });
}
