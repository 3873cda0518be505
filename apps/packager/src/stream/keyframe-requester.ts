import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/** Where the media server receives the video section's RTCP, and the SSRC it sends that video with. */
export interface RtcpTarget {
  address: string;
  port: number;
  /** The media sender's SSRC (`a=ssrc:` of the answer's video section); 0 when the answer names none. */
  mediaSsrc: number;
}

/**
 * Reads the RtpEndpoint's SDP answer to the packager's offer: the video section's RTCP address (its
 * `c=`, else the session's) and port (`a=rtcp:`, else the RTP port + 1, RFC 3550 §11), and the SSRC it
 * announces for the video it sends. Undefined when the answer has no accepted video section.
 */
export function parseRtcpTarget(sdp: string): RtcpTarget | undefined {
  const lines = sdp.split(/\r?\n/);
  let sessionAddress: string | undefined;
  let inVideo = false;
  let seenMedia = false;
  let port: number | undefined;
  let address: string | undefined;
  let rtcpPort: number | undefined;
  let rtcpAddress: string | undefined;
  let ssrc: number | undefined;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inVideo) break; // the first video section only
      seenMedia = true;
      const [kind, rtpPort] = line.slice(2).split(' ');
      inVideo = kind === 'video';
      if (inVideo) port = Number(rtpPort);
      continue;
    }
    const c = /^c=IN IP4 ([^\s/]+)/.exec(line)?.[1];
    if (c && !seenMedia) sessionAddress = c;
    if (!inVideo) continue;
    if (c) address = c;
    const rtcp = /^a=rtcp:(\d+)(?: IN IP4 ([^\s/]+))?/.exec(line);
    if (rtcp) {
      rtcpPort = Number(rtcp[1]);
      rtcpAddress = rtcp[2];
    }
    const announced = /^a=ssrc:(\d+)/.exec(line);
    if (announced && ssrc === undefined) ssrc = Number(announced[1]);
  }
  const target = rtcpAddress ?? address ?? sessionAddress;
  if (!port || !Number.isInteger(port) || port > 65535 || !target || target === '0.0.0.0') return undefined;
  const finalPort = rtcpPort ?? port + 1;
  if (finalPort < 1 || finalPort > 65535) return undefined;
  return { address: target, port: finalPort, mediaSsrc: ssrc !== undefined && ssrc <= 0xffffffff ? ssrc : 0 };
}

const RTCP_RR = 201;
const RTCP_PSFB = 206;
const FMT_PLI = 1;

/**
 * A compound RTCP packet asking for a keyframe: an empty receiver report (RFC 3550 §6.1: a compound
 * packet starts with SR or RR, which Kurento's GStreamer session expects) followed by a Picture Loss
 * Indication (RFC 4585 §6.3.1: PT 206 PSFB, FMT 1, no FCI).
 */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const packet = Buffer.alloc(8 + 12);
  packet[0] = 0x80; // V=2, P=0, RC=0
  packet[1] = RTCP_RR;
  packet.writeUInt16BE(1, 2); // length in 32-bit words minus one
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet[8] = 0x80 | FMT_PLI;
  packet[9] = RTCP_PSFB;
  packet.writeUInt16BE(2, 10);
  packet.writeUInt32BE(senderSsrc >>> 0, 12);
  packet.writeUInt32BE(mediaSsrc >>> 0, 16);
  return packet;
}

/**
 * Sends the media server a PLI at once and then every `intervalMs`, so the publisher makes a keyframe
 * at least that often (segments of ≈ 2 s need one every 2 s; kms-lite and Kurento relay the PLI to
 * the browser). From a socket of its own on an ephemeral port: ffmpeg holds the RTP/RTCP ports, and the
 * RtpEndpoint accepts RTCP on its RTCP port from any source.
 */
export class KeyframeRequester {
  private socket: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly senderSsrc = randomBytes(4).readUInt32BE(0) || 1;
  sent = 0;

  constructor(
    readonly target: RtcpTarget,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  start(): void {
    if (this.socket) return;
    const socket = createSocket('udp4');
    socket.on('error', (error) => this.onError(error));
    this.socket = socket;
    this.send();
    this.timer = setInterval(() => this.send(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }

  get running(): boolean {
    return this.socket !== undefined;
  }

  private send(): void {
    const socket = this.socket;
    if (!socket) return;
    socket.send(
      buildPli(this.senderSsrc, this.target.mediaSsrc),
      this.target.port,
      this.target.address,
      (error) => {
        if (error) this.onError(error);
        else this.sent += 1;
      },
    );
  }
}
