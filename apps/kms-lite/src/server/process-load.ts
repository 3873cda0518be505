import { availableParallelism } from 'node:os';
import type { FaultController } from '../fault/fault-controller';
import type { LoadReport } from '../objects/load-report';

/** Longest interval `getUsedCpu` will measure over, so a client cannot park a request for minutes. */
const MAX_CPU_SAMPLE_MS = 10_000;

/** The load of this process as ServerManager reports it, unless the fault controller overrides it. */
export function processLoad(faults: FaultController): LoadReport {
  return {
    usedMemoryKiB: () => faults.load.memoryKiB ?? Math.round(process.memoryUsage().rss / 1024),
    cpuCount: () => availableParallelism(),
    usedCpuPercent: async (intervalMs) => {
      const override = faults.load.cpuPercent;
      if (override !== undefined) return override;
      const wait = Math.min(Math.max(0, intervalMs), MAX_CPU_SAMPLE_MS);
      const start = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await new Promise((resolve) => setTimeout(resolve, wait));
      const used = process.cpuUsage(start);
      const elapsedUs = Number(process.hrtime.bigint() - t0) / 1000;
      if (elapsedUs <= 0) return 0;
      const percent = ((used.user + used.system) / elapsedUs / availableParallelism()) * 100;
      return Math.round(percent * 100) / 100;
    },
  };
}
