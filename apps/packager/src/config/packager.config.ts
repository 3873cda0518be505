import { readFileSync } from 'node:fs';
import { MIN_VIEWER_TOKEN_KEY_BYTES } from '@hoot/auth-kit';

export type Env = Record<string, string | undefined>;

/** Every setting of the packager, from the environment, validated at boot (the README lists each). */
export interface PackagerConfig {
  host: string;
  port: number;
  nodeId: string;
  logLevel: string;
  version: string;
  /** HMAC-SHA256 key CASH signs viewer tokens with (secret, no default). */
  viewerTokenKey: Buffer;
  /** The control API's service key (secret, no default). */
  controlKey: string;
  /** Address put into the SDP: where the media server sends RTP. */
  announcedIp: string;
  rtpMinPort: number;
  rtpMaxPort: number;
  ffmpegPath: string;
  audioBitrate: number;
  segmentTargetMs: number;
  partTargetMs: number;
  windowSegments: number;
  /** Bounded wait of a blocking reload or a hinted part (RFC 8216bis: three target durations). */
  blockingTimeoutMs: number;
  endedRetentionMs: number;
  maxStreams: number;
  corsOrigin: string;
  /** How often the media server is sent an RTCP PLI for a video stream (HLS_KEYFRAME_REQUEST_MS). */
  keyframeRequestMs: number;
  /** Where recordings are kept (PACKAGER_RECORDING_DIR); unset: recording is off. */
  recordingDir: string | undefined;
  /** Bytes the whole recording folder may hold (PACKAGER_RECORDING_MAX_BYTES). */
  recordingMaxBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Parses the packager's environment; throws one ConfigError listing every bad variable (secrets never echoed). */
export function loadPackagerConfig(env: Env): PackagerConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct && file) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`);
      return undefined;
    }
    if (file) {
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        problems.push(
          `${name}_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
        return undefined;
      }
    }
    return direct === '' ? undefined : direct;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name}: must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return n;
  };
  const secret = (name: string, minLength: number): string => {
    const raw = value(name);
    if (raw === undefined) {
      problems.push(`${name}: required, no default (or ${name}_FILE)`);
      return '';
    }
    if (raw.length < minLength)
      problems.push(`${name}: must be at least ${minLength} characters (value hidden)`);
    return raw;
  };

  const logLevel = value('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL: one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const announcedIp = value('PACKAGER_ANNOUNCED_IP') ?? '127.0.0.1';
  if (!IPV4.test(announcedIp)) problems.push(`PACKAGER_ANNOUNCED_IP: an IPv4 address (got "${announcedIp}")`);
  const segmentTargetMs = int('HLS_SEGMENT_TARGET_MS', 2000, 500, 10_000);
  const partTargetMs = int('HLS_PART_TARGET_MS', 334, 100, 1000);
  if (partTargetMs * 3 > segmentTargetMs)
    problems.push('HLS_PART_TARGET_MS: at most a third of HLS_SEGMENT_TARGET_MS');
  const rtpMinPort = int('PACKAGER_RTP_MIN_PORT', 42000, 1024, 65535);
  const rtpMaxPort = int('PACKAGER_RTP_MAX_PORT', 42999, 1024, 65535);
  if (rtpMaxPort - rtpMinPort < 4)
    problems.push('PACKAGER_RTP_MAX_PORT: the range must hold at least 4 ports');
  const targetDurationS = Math.ceil(segmentTargetMs / 1000);

  const config: PackagerConfig = {
    host: value('PACKAGER_HOST') ?? '127.0.0.1',
    port: int('PACKAGER_PORT', 3400, 0, 65535),
    nodeId: value('NODE_ID') ?? 'packager-0',
    logLevel,
    version: value('SERVICE_VERSION') ?? '0.1.0',
    viewerTokenKey: Buffer.from(secret('PACKAGER_VIEWER_TOKEN_KEY', MIN_VIEWER_TOKEN_KEY_BYTES)),
    controlKey: secret('PACKAGER_CONTROL_KEY', 16),
    announcedIp,
    rtpMinPort,
    rtpMaxPort,
    ffmpegPath: value('FFMPEG_PATH') ?? 'ffmpeg',
    audioBitrate: int('PACKAGER_AAC_BITRATE', 96_000, 32_000, 320_000),
    segmentTargetMs,
    partTargetMs,
    windowSegments: int('HLS_WINDOW_SEGMENTS', 6, 3, 60),
    blockingTimeoutMs: int('HLS_BLOCKING_TIMEOUT_MS', 3 * targetDurationS * 1000, 100, 60_000),
    endedRetentionMs: int('HLS_ENDED_RETENTION_MS', 60_000, 0, 3_600_000),
    maxStreams: int('PACKAGER_MAX_STREAMS', 20, 1, 1000),
    corsOrigin: value('PACKAGER_CORS_ORIGIN') ?? '*',
    keyframeRequestMs: int('HLS_KEYFRAME_REQUEST_MS', 2000, 250, 60_000),
    recordingDir: value('PACKAGER_RECORDING_DIR'),
    recordingMaxBytes: int('PACKAGER_RECORDING_MAX_BYTES', 5 * 1024 ** 3, 1024, Number.MAX_SAFE_INTEGER),
  };
  if (config.recordingDir !== undefined && !config.recordingDir.startsWith('/'))
    problems.push(`PACKAGER_RECORDING_DIR: an absolute path (got "${config.recordingDir}")`);
  if (problems.length) throw new ConfigError(problems);
  return config;
}
