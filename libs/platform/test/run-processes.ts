import { readdirSync, readFileSync } from 'node:fs';

/** Live (not zombie) processes: pid, process group and environment. */
function liveProcesses(): { pid: number; pgid: number; env: string[] }[] {
  const found: { pid: number; pgid: number; env: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      found.push({ pid: Number(entry), pgid: Number(pgid), env });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/** Every live process carrying this platform run's marker or belonging to one of its process groups. */
export const processesOfRun = (runId: string, groups: number[] = []) =>
  liveProcesses()
    .filter((p) => p.env.includes(`HOOT_PLATFORM_RUN=${runId}`) || groups.includes(p.pgid))
    .map((p) => p.pid);
