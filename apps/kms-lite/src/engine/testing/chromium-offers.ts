/**
 * SDP offers as Chromium (M120+) writes them for a camera and a microphone, trimmed of nothing that
 * matters for codec negotiation: VP8, VP9, H.264 in four profiles and both packetization modes, AV1,
 * RTX, RED and ULPFEC. `h264Only` is what a page gets after `setCodecPreferences` with H.264 alone.
 */
const SESSION = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream',
];

const TRANSPORT = (mid: string) => [
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:Wv0q',
  'a=ice-pwd:Rv3Z1Fc3xQ4Fi6ELkXpH0K2b',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
  'a=setup:actpass',
  `a=mid:${mid}`,
];

const AUDIO = [
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  ...TRANSPORT('0'),
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=sendonly',
  'a=msid:stream audio-track',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1001 cname:chromium',
];

const FEEDBACK = (pt: number) => [
  `a=rtcp-fb:${pt} goog-remb`,
  `a=rtcp-fb:${pt} transport-cc`,
  `a=rtcp-fb:${pt} ccm fir`,
  `a=rtcp-fb:${pt} nack`,
  `a=rtcp-fb:${pt} nack pli`,
];

const VP8 = [96, 97];
const VP9 = [98, 99];
/** [pt, rtx, fmtp]: Chromium's H.264 list. */
const H264: [number, number, string][] = [
  [102, 103, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f'],
  [104, 105, 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f'],
  [106, 107, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f'],
  [108, 109, 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f'],
  [127, 125, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f'],
  [39, 40, 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f'],
];
const AV1 = [45, 46];

function video(withVp8: boolean, withH264: boolean): string[] {
  const formats: number[] = [];
  const lines: string[] = [];
  const add = (pt: number, rtx: number, name: string, fmtp?: string) => {
    formats.push(pt, rtx);
    lines.push(`a=rtpmap:${pt} ${name}/90000`, ...FEEDBACK(pt));
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    lines.push(`a=rtpmap:${rtx} rtx/90000`, `a=fmtp:${rtx} apt=${pt}`);
  };
  if (withVp8) {
    add(VP8[0], VP8[1], 'VP8');
    add(VP9[0], VP9[1], 'VP9', 'profile-id=0');
  }
  if (withH264) for (const [pt, rtx, fmtp] of H264) add(pt, rtx, 'H264', fmtp);
  if (withVp8) add(AV1[0], AV1[1], 'AV1', 'level-idx=5;profile=0;tier=0');
  if (withVp8) {
    formats.push(116, 117, 118);
    lines.push(
      'a=rtpmap:116 red/90000',
      'a=rtpmap:117 rtx/90000',
      'a=fmtp:117 apt=116',
      'a=rtpmap:118 ulpfec/90000',
    );
  }
  return [
    `m=video 9 UDP/TLS/RTP/SAVPF ${formats.join(' ')}`,
    ...TRANSPORT('1'),
    'a=extmap:2 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=sendonly',
    'a=msid:stream video-track',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...lines,
    'a=ssrc-group:FID 2001 2002',
    'a=ssrc:2001 cname:chromium',
    'a=ssrc:2002 cname:chromium',
  ];
}

const offer = (lines: string[]) => lines.join('\r\n') + '\r\n';

export const CHROMIUM_OFFERS = {
  /** Audio and video with Chromium's default codec list (VP8 first, H.264 in the middle). */
  vp8AndH264: offer([...SESSION, ...AUDIO, ...video(true, true)]),
  /** Video limited to H.264 by `setCodecPreferences`. */
  h264Only: offer([...SESSION, ...AUDIO, ...video(false, true)]),
  /** Video limited to VP8 and the others Chromium lists, without H.264 (e.g. a build without it). */
  vp8Only: offer([...SESSION, ...AUDIO, ...video(true, false)]),
};
