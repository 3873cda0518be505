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

/** Debian's `chromium` on PATH (scripts/infra/chromium.sh installs it); never a downloaded browser. */
export function chromiumPath(): string {
  try {
    return execFileSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Debian chromium is not installed: run scripts/infra/chromium.sh first');
  }
}
