/** RTP payload types the packager's SDP fixes (Kurento's RtpEndpoint answers with the offerer's numbers). */
export const VIDEO_PAYLOAD_TYPE = 96;
export const AUDIO_PAYLOAD_TYPE = 111;

/** What a stream carries: a camera sends both, a screen share video only, an audio-only room audio only. */
export type MediaKind = 'audio' | 'video';
export const MEDIA_KINDS: readonly MediaKind[] = ['audio', 'video'];

export interface RtpPorts {
  /** Even; RTCP on video + 1. */
  video: number;
  /** Even; RTCP on audio + 1. */
  audio: number;
}

/**
 * The SDP describing what the packager receives: H.264 (any profile, packetization mode 1, as browsers
 * and Kurento send it) and Opus, plain RTP/AVP over UDP to `address`. It is both ffmpeg's input and the
 * offer a Kurento RtpEndpoint is given (`processOffer`): receive-only on our side, one media section per
 * kind the stream carries.
 */
export function buildReceiveSdp(
  address: string,
  ports: RtpPorts,
  name: string,
  kinds: readonly MediaKind[] = MEDIA_KINDS,
): string {
  const lines = [
    'v=0',
    `o=- ${Date.now()} 1 IN IP4 ${address}`,
    `s=hoot packager ${name}`,
    `c=IN IP4 ${address}`,
    't=0 0',
  ];
  if (kinds.includes('video')) {
    lines.push(
      `m=video ${ports.video} RTP/AVP ${VIDEO_PAYLOAD_TYPE}`,
      `a=rtpmap:${VIDEO_PAYLOAD_TYPE} H264/90000`,
      `a=fmtp:${VIDEO_PAYLOAD_TYPE} packetization-mode=1`,
      'a=recvonly',
    );
  }
  if (kinds.includes('audio')) {
    lines.push(
      `m=audio ${ports.audio} RTP/AVP ${AUDIO_PAYLOAD_TYPE}`,
      `a=rtpmap:${AUDIO_PAYLOAD_TYPE} opus/48000/2`,
      'a=recvonly',
    );
  }
  return [...lines, ''].join('\r\n');
}
