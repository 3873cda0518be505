import { createSocket, type Socket } from 'node:dgram';
import { RtpPortPool } from './rtp-port-pool';
import { buildReceiveSdp } from './rtp-sdp';
import { ffmpegArgs } from './remuxer';

const bind = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, () => resolve(socket));
  });

describe('RtpPortPool', () => {
  it('hands out distinct even blocks of four ports, skips a block with a busy port, and takes released ones back', async () => {
    const pool = new RtpPortPool(47301, 47320); // first even base: 47302
    const busy = await bind(47307); // in the second block (47306–47309)
    try {
      const a = await pool.allocate();
      const b = await pool.allocate();
      expect(a).toEqual({ video: 47302, audio: 47304 });
      expect(b).toEqual({ video: 47310, audio: 47312 });
      pool.release(a as NonNullable<typeof a>);
      expect(await pool.allocate()).toEqual({ video: 47302, audio: 47304 });
      expect(await pool.allocate()).toEqual({ video: 47314, audio: 47316 });
      expect(await pool.allocate()).toBeUndefined(); // 47318–47321 does not fit under 47320
      expect(pool.inUse).toBe(3);
    } finally {
      busy.close();
    }
  });
});

describe('buildReceiveSdp', () => {
  it('describes receive-only H.264 (mode 1) and Opus on the given ports with fixed payload types', () => {
    const sdp = buildReceiveSdp('10.0.0.7', { video: 42000, audio: 42002 }, 'abc');
    expect(sdp.split('\r\n')).toEqual(
      expect.arrayContaining([
        'c=IN IP4 10.0.0.7',
        'm=video 42000 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'a=fmtp:96 packetization-mode=1',
        'm=audio 42002 RTP/AVP 111',
        'a=rtpmap:111 opus/48000/2',
        'a=recvonly',
      ]),
    );
    expect(sdp.endsWith('\r\n')).toBe(true);
  });
});

describe('buildReceiveSdp per kind', () => {
  it('has one media section per kind the stream carries', () => {
    const media = (kinds: ('audio' | 'video')[]) =>
      buildReceiveSdp('10.0.0.7', { video: 42000, audio: 42002 }, 'abc', kinds)
        .split('\r\n')
        .filter((l) => l.startsWith('m='));
    expect(media(['video'])).toEqual(['m=video 42000 RTP/AVP 96']);
    expect(media(['audio'])).toEqual(['m=audio 42002 RTP/AVP 111']);
    expect(media(['audio', 'video'])).toEqual(['m=video 42000 RTP/AVP 96', 'm=audio 42002 RTP/AVP 111']);
  });
});

describe('ffmpegArgs per kind', () => {
  const maps = (kinds?: ('audio' | 'video')[]) => {
    const args = ffmpegArgs({ audioBitrate: 96000, kinds });
    return {
      maps: args.filter((_, i) => args[i - 1] === '-map'),
      audio: args.includes('-c:a'),
      video: args.includes('-c:v'),
    };
  };
  it('maps video (copied) and optional audio by default, only what the stream carries otherwise', () => {
    expect(maps()).toEqual({ maps: ['0:v:0', '0:a:0?'], audio: true, video: true });
    expect(maps(['video'])).toEqual({ maps: ['0:v:0'], audio: false, video: true });
    expect(maps(['audio'])).toEqual({ maps: ['0:a:0'], audio: true, video: false });
  });
});
