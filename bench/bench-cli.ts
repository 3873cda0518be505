/** What every benchmark script shares: its command-line flags and the statistics it prints. */

const args = process.argv.slice(2);

/** The value after `--<name>` on the command line, or `fallback`. */
export const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};

/** The p-th percentile of ascending `sorted` (nearest rank). */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
