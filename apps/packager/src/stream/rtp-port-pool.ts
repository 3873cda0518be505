import { createSocket } from 'node:dgram';
import type { RtpPorts } from './rtp-sdp';

/** Whether UDP `port` can be bound now on every address (what ffmpeg will do). */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, () => socket.close(() => resolve(true)));
  });
}

/**
 * Hands out blocks of four UDP ports (video RTP/RTCP, audio RTP/RTCP) from a configured range, so a
 * firewall or a Kubernetes Service can open exactly that range. A block is checked free before it is
 * given; released blocks go back to the pool.
 */
export class RtpPortPool {
  private readonly used = new Set<number>();

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  async allocate(): Promise<RtpPorts | undefined> {
    const first = this.min % 2 === 0 ? this.min : this.min + 1;
    for (let base = first; base + 3 <= this.max; base += 4) {
      if (this.used.has(base)) continue;
      this.used.add(base);
      const free = await Promise.all([0, 1, 2, 3].map((i) => udpFree(base + i)));
      if (free.every(Boolean)) return { video: base, audio: base + 2 };
      this.used.delete(base);
    }
    return undefined;
  }

  release(ports: RtpPorts): void {
    this.used.delete(ports.video);
  }

  get inUse(): number {
    return this.used.size;
  }
}
