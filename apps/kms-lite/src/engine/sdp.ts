import { KurentoError } from '../protocol/kurento-error';
import type { Direction, MediaKind } from './media-engine';

/** Just enough SDP handling for kms-lite: section parsing, direction rules, candidate stripping. */
export interface MediaSection {
  kind: string;
  port: number;
  proto: string;
  formats: string[];
  mid: string;
  direction: Direction;
  /** The attribute lines (`a=…`) of the section. */
  attributes: string[];
}

export interface ParsedSdp {
  sessionLines: string[];
  media: MediaSection[];
}

const DIRECTIONS: readonly Direction[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

export function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

/** Parses an SDP or fails with Kurento's SDP_PARSE_ERROR (40201). */
export function parseSdp(sdp: unknown): ParsedSdp {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) {
    throw KurentoError.of('SDP_PARSE_ERROR', 'Error parsing SDP: it does not start with v=0');
  }
  const sessionLines: string[] = [];
  const media: MediaSection[] = [];
  let current: MediaSection | undefined;
  for (const line of splitLines(sdp)) {
    if (!/^[a-z]=/.test(line)) throw KurentoError.of('SDP_PARSE_ERROR', `Error parsing SDP line '${line}'`);
    if (line.startsWith('m=')) {
      const [kind, port, proto, ...formats] = line.slice(2).split(' ');
      if (!kind || !port || !proto) throw KurentoError.of('SDP_PARSE_ERROR', `Invalid media line '${line}'`);
      current = {
        kind,
        port: Number(port),
        proto,
        formats,
        mid: String(media.length),
        direction: 'sendrecv',
        attributes: [],
      };
      media.push(current);
    } else if (current) {
      if (line.startsWith('a=')) {
        current.attributes.push(line);
        const value = line.slice(2);
        if (value.startsWith('mid:')) current.mid = value.slice(4);
        if ((DIRECTIONS as readonly string[]).includes(value)) current.direction = value as Direction;
      }
    } else {
      sessionLines.push(line);
    }
  }
  if (media.length === 0) throw KurentoError.of('SDP_PARSE_ERROR', 'Error parsing SDP: no media sections');
  return { sessionLines, media };
}

/** The direction a Kurento endpoint answers with, given the offer's and its own constraint. */
export function answerDirection(
  offered: Direction,
  constraint: 'sendrecv' | 'sendonly' | 'recvonly',
): Direction {
  const canSend = offered === 'sendrecv' || offered === 'recvonly';
  const canRecv = offered === 'sendrecv' || offered === 'sendonly';
  const send = canSend && constraint !== 'recvonly';
  const recv = canRecv && constraint !== 'sendonly';
  if (send && recv) return 'sendrecv';
  if (send) return 'sendonly';
  if (recv) return 'recvonly';
  return 'inactive';
}

/** Kinds we receive from and send to the peer, from OUR side's directions. */
export function kindsOf(media: MediaSection[]): { recv: MediaKind[]; send: MediaKind[] } {
  const recv: MediaKind[] = [];
  const send: MediaKind[] = [];
  for (const section of media) {
    if (section.kind !== 'audio' && section.kind !== 'video') continue;
    if (section.port === 0) continue;
    const kind = section.kind as MediaKind;
    if (section.direction === 'sendrecv' || section.direction === 'recvonly') recv.push(kind);
    if (section.direction === 'sendrecv' || section.direction === 'sendonly') send.push(kind);
  }
  return { recv, send };
}

/** Kurento answers and offers carry no candidates: they are trickled as IceCandidateFound after gatherCandidates. */
export function stripCandidates(sdp: string): string {
  return (
    splitLines(sdp)
      .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
      .join('\r\n') + '\r\n'
  );
}
