/** Load figures ServerManager reports (measured, or set by the fault controller). */
export interface LoadReport {
  usedMemoryKiB(): number;
  usedCpuPercent(intervalMs: number): Promise<number>;
  cpuCount(): number;
}
