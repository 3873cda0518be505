/** Thresholds of admission control (from the config). */
export interface AdmissionOptions {
  /** Load (0..1) at or above which the CoreMX is overloaded. */
  highWatermark: number;
  /** Load at or below which an overloaded CoreMX admits again; below `highWatermark` (hysteresis). */
  lowWatermark: number;
  capacityRooms: number;
  capacityParticipants: number;
}

export interface LoadFigures {
  /** The media server's CPU use over the whole machine (0..100), when known. */
  cpuPercent?: number;
  rooms: number;
  participants: number;
}

/**
 * Load and the overloaded verdict, with hysteresis so the verdict does not flap around one threshold.
 * Load is the highest of: media server CPU, rooms / room capacity, participants / participant capacity.
 * Pure: the caller feeds figures in.
 */
export class AdmissionControl {
  private overloadedNow = false;
  private loadNow = 0;

  constructor(private readonly options: AdmissionOptions) {
    if (!(options.lowWatermark < options.highWatermark)) {
      throw new RangeError('lowWatermark must be below highWatermark');
    }
  }

  get overloaded(): boolean {
    return this.overloadedNow;
  }

  /** 0..1 */
  get load(): number {
    return this.loadNow;
  }

  /** Recomputes load and verdict; answers whether the verdict changed. */
  update(figures: LoadFigures): boolean {
    const cpu = Number.isFinite(figures.cpuPercent) ? (figures.cpuPercent as number) / 100 : 0;
    const raw = Math.max(
      cpu,
      figures.rooms / this.options.capacityRooms,
      figures.participants / this.options.capacityParticipants,
    );
    this.loadNow = Math.min(1, Math.max(0, raw));
    const before = this.overloadedNow;
    if (!before && this.loadNow >= this.options.highWatermark) this.overloadedNow = true;
    else if (before && this.loadNow <= this.options.lowWatermark) this.overloadedNow = false;
    return before !== this.overloadedNow;
  }
}
