import { createSocket, type Socket } from 'node:dgram';

/** Where a plain RTP stream goes: an IPv4 address and a port. */
export interface RtpTarget {
  address: string;
  port: number;
}

/** One media section's local RTP port (and, on the werift engine, its RTCP port: RTP + 1). */
export interface RtpSocket {
  readonly port: number;
  send(packet: Buffer, target: RtpTarget): void;
  close(): Promise<void>;
}

export interface RtpSocketHandlers {
  /** A packet on the RTP port (RTP, or RTCP multiplexed on it). */
  rtp(packet: Buffer): void;
  /** A packet on the RTCP port. */
  rtcp(packet: Buffer): void;
}

/** Opens the sockets of one media section. */
export interface RtpSocketFactory {
  open(handlers: RtpSocketHandlers): Promise<RtpSocket>;
}

/**
 * Real UDP sockets, as Kurento's RtpEndpoint uses: an even RTP port in [minPort, maxPort] and its RTCP
 * port right above it (RFC 3550 §11), both bound on every interface.
 */
export class UdpRtpSockets implements RtpSocketFactory {
  constructor(
    private readonly minPort: number,
    private readonly maxPort: number,
  ) {}

  async open(handlers: RtpSocketHandlers): Promise<RtpSocket> {
    const first = this.minPort + (this.minPort % 2);
    const pairs = Math.max(1, Math.floor((this.maxPort - first) / 2));
    const start = Math.floor(Math.random() * pairs);
    for (let i = 0; i < pairs; i++) {
      const port = first + ((start + i) % pairs) * 2;
      const rtp = await bind(port);
      if (!rtp) continue;
      const rtcp = await bind(port + 1);
      if (!rtcp) {
        await close(rtp);
        continue;
      }
      rtp.on('message', (packet) => handlers.rtp(packet));
      rtcp.on('message', (packet) => handlers.rtcp(packet));
      return {
        port,
        send: (packet, target) => rtp.send(packet, target.port, target.address, () => undefined),
        close: async () => {
          await Promise.all([close(rtp), close(rtcp)]);
        },
      };
    }
    throw new Error(`no free RTP/RTCP port pair in ${this.minPort}-${this.maxPort}`);
  }
}

function bind(port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, () => {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

/** The fake engine's sockets: deterministic ports, nothing bound, nothing sent. */
export class FakeRtpSockets implements RtpSocketFactory {
  private next: number;

  constructor(minPort: number) {
    this.next = minPort + (minPort % 2);
  }

  async open(): Promise<RtpSocket> {
    const port = this.next;
    this.next += 2;
    return { port, send: () => undefined, close: async () => undefined };
  }
}
