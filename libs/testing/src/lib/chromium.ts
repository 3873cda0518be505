import { execFileSync } from 'node:child_process';

/**
 * Flags for the headless-browser specs (INFRA.md): headless, no sandbox/GPU/QUIC, quiet, and fake camera
 * and microphone granted without a prompt.
 */
export const CHROMIUM_TEST_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/**
 * The flags with `count` fake cameras instead of one (`device-count`: Chromium lists `fake_device_0` …
 * `fake_device_<count-1>`, each with its own deviceId; the first is the default). Their pixel formats
 * cycle I420, Y16, MJPEG: WebRTC encodes no frame of the Y16 (depth) one, so a spec that sends a second
 * camera asks for 3 and uses fake_device_2. Microphones stay as they are (a default and two more).
 */
export function withFakeCameras(flags: readonly string[], count: number): string[] {
  return flags.map((flag) =>
    flag === '--use-fake-device-for-media-stream' ? `${flag}=device-count=${count}` : flag,
  );
}

/** Debian's `chromium` on PATH (scripts/infra/chromium.sh installs it); never a downloaded browser. */
export function chromiumPath(): string {
  try {
    return execFileSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Debian chromium is not installed: run scripts/infra/chromium.sh first');
  }
}
