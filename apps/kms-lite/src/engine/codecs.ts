import type { RtpCodecInfo } from './media-engine';
import { splitLines } from './sdp';

export type { RtpCodecInfo } from './media-engine';

/**
 * The codecs kms-lite forwards without transcoding, and the SDP filtering that keeps a negotiation to
 * them. Video is VP8 or H.264; H.264 only in packetization mode 1 (non-interleaved, what browsers send)
 * with a Baseline or Constrained Baseline profile — the profiles every WebRTC browser can decode, so a
 * stream received from one peer can be sent unchanged to any other.
 */

export type H264Profile = 'constrained-baseline' | 'baseline' | 'main' | 'extended' | 'high' | 'other';

/**
 * The H.264 profile of a `profile-level-id` (RFC 6184 §8.1: profile_idc, profile-iop, level_idc, in hex).
 * The Constrained Baseline rule follows RFC 6184 table 5: Baseline, Main or Extended profile_idc with the
 * constraint flags that make the stream decodable by a Constrained Baseline decoder.
 */
export function h264Profile(profileLevelId: string): H264Profile | undefined {
  if (!/^[0-9a-f]{6}$/i.test(profileLevelId)) return undefined;
  const idc = parseInt(profileLevelId.slice(0, 2), 16);
  const iop = parseInt(profileLevelId.slice(2, 4), 16);
  const set0 = (iop & 0x80) !== 0;
  const set1 = (iop & 0x40) !== 0;
  if (idc === 0x42) return set1 ? 'constrained-baseline' : 'baseline';
  if (idc === 0x4d) return set0 ? 'constrained-baseline' : 'main';
  if (idc === 0x58) return set0 && set1 ? 'constrained-baseline' : set0 ? 'baseline' : 'extended';
  if (idc === 0x64) return 'high';
  return 'other';
}

/** `a=fmtp` parameters as a map (`key=value;key=value`). */
export function fmtpParameters(parameters: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of parameters.split(';')) {
    const [key, ...value] = pair.trim().split('=');
    if (key) map.set(key.toLowerCase(), value.join('=').trim());
  }
  return map;
}

/** Whether kms-lite forwards this H.264 format: packetization-mode=1 and a (Constrained) Baseline profile. */
export function forwardableH264(parameters: string): boolean {
  const fmtp = fmtpParameters(parameters);
  if (fmtp.get('packetization-mode') !== '1') return false;
  // RFC 6184: an absent profile-level-id means 42000A (Baseline, level 1).
  const profile = h264Profile(fmtp.get('profile-level-id') ?? '42000a');
  return profile === 'baseline' || profile === 'constrained-baseline';
}

/**
 * An offer with the H.264 formats kms-lite cannot forward taken out of every video section (with
 * their rtpmap/fmtp/rtcp-fb lines and the RTX formats repairing them). Everything else is unchanged.
 */
export function withForwardableH264Only(sdp: string): string {
  const lines = splitLines(sdp);
  const sections: string[][] = [[]];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([]);
    sections[sections.length - 1].push(line);
  }
  const [session, ...media] = sections;
  const filtered = media.map((section) =>
    section[0].startsWith('m=video ') ? filterVideo(section) : section,
  );
  return [...session, ...filtered.flat()].join('\r\n') + '\r\n';
}

function filterVideo(section: string[]): string[] {
  const rtpmap = new Map<string, string>();
  const fmtp = new Map<string, string>();
  for (const line of section) {
    const map = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
    if (map) rtpmap.set(map[1], map[2].toLowerCase());
    const params = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (params) fmtp.set(params[1], params[2]);
  }
  const dropped = new Set<string>();
  for (const [pt, name] of rtpmap)
    if (name === 'h264' && !forwardableH264(fmtp.get(pt) ?? '')) dropped.add(pt);
  for (const [pt, name] of rtpmap) {
    const apt = fmtpParameters(fmtp.get(pt) ?? '').get('apt');
    if (name === 'rtx' && apt !== undefined && dropped.has(apt)) dropped.add(pt);
  }
  if (dropped.size === 0) return section;
  const [mLine, ...attributes] = section;
  const [kindPortProto, formats] = [mLine.split(' ').slice(0, 3), mLine.split(' ').slice(3)];
  const kept = formats.filter((pt) => !dropped.has(pt));
  return [
    [...kindPortProto, ...kept].join(' '),
    ...attributes.filter((line) => {
      const pt = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line)?.[1];
      return pt === undefined || !dropped.has(pt);
    }),
  ];
}

/**
 * The codec among `candidates` (a sink's negotiated formats) that carries a packet of `codec` unchanged:
 * the same encoding and clock rate; for H.264 the same packetization mode, preferring the same profile.
 * `undefined` when the sink negotiated no such format (kms-lite does not transcode).
 */
export function matchingCodec<T extends { mimeType: string; clockRate: number; parameters?: string }>(
  candidates: readonly T[],
  codec: RtpCodecInfo,
): T | undefined {
  const same = candidates.filter(
    (c) => c.mimeType.toLowerCase() === codec.mimeType && c.clockRate === codec.clockRate,
  );
  if (codec.mimeType !== 'video/h264') return same[0];
  const wanted = fmtpParameters(codec.parameters);
  const mode = (c: T) => fmtpParameters(c.parameters ?? '').get('packetization-mode') ?? '0';
  const usable = same.filter((c) => mode(c) === (wanted.get('packetization-mode') ?? '0'));
  const profileOf = (parameters: string) =>
    h264Profile(fmtpParameters(parameters).get('profile-level-id') ?? '42000a');
  return usable.find((c) => profileOf(c.parameters ?? '') === profileOf(codec.parameters)) ?? usable[0];
}
