/**
 * kms-lite fan-out benchmark: one publisher (werift in this process, ~1 Mbit/s of video RTP plus Opus-sized
 * audio) forwarded to 1, 5, 10 and 20 subscribers (werift peers here too). For each step it samples the
 * kms-lite process's CPU (utime+stime from /proc) and resident memory over a fixed window, and reports the
 * cost per subscriber against the publisher-only baseline. Prints a table and writes bench/results/kms-lite-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/kms-lite/fanout.bench.ts [--seconds 10] [--steps 1,5,10,20]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import {
  callKurento,
  closeKurento,
  connectKurento,
  kurentoIceCandidate,
  type KurentoHandle,
} from '@hoot/media';
import { startKmsLite } from '@hoot/media/testing';
import { workspaceRoot } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from 'werift';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const WINDOW_S = Number(arg('seconds', '10'));
const STEPS = arg('steps', '1,5,10,20').split(',').map(Number);
const VIDEO_PACKET_BYTES = 1_100;
const VIDEO_PACKETS_PER_S = 115; // ≈ 1 Mbit/s of video payload
const AUDIO_PACKET_BYTES = 80; // Opus at ~32 kbit/s, 20 ms frames
const CLOCK_TICKS = 100; // USER_HZ on Linux

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

async function sample(pid: number): Promise<{ cpuPercent: number; rssKiB: number }> {
  const t0 = Date.now();
  const c0 = cpuTicks(pid);
  await sleep(WINDOW_S * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const cpuPercent = ((cpuTicks(pid) - c0) / CLOCK_TICKS / seconds) * 100;
  return { cpuPercent: Math.round(cpuPercent * 10) / 10, rssKiB: rssKiB(pid) };
}

/** Connects one werift peer to a new WebRtcEndpoint; resolves once the endpoint reports CONNECTED. */
async function connectPeer(pipeline: KurentoHandle, peer: RTCPeerConnection): Promise<KurentoHandle> {
  const endpoint = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
  const connected = new Promise<void>((resolve) =>
    endpoint.on(
      'ConnectionStateChanged',
      (e: { newState: string }) => e.newState === 'CONNECTED' && resolve(),
    ),
  );
  endpoint.on(
    'IceCandidateFound',
    (e: { candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number } }) => {
      void peer.addIceCandidate(e.candidate);
    },
  );
  peer.onIceCandidate.subscribe((c) => {
    if (!c) return;
    const json = c.toJSON();
    void callKurento(
      endpoint,
      'addIceCandidate',
      kurentoIceCandidate({
        candidate: json.candidate ?? '',
        sdpMid: json.sdpMid ?? null,
        sdpMLineIndex: json.sdpMLineIndex ?? null,
      }),
    );
  });
  await peer.setLocalDescription(await peer.createOffer());
  const answer = await callKurento<string>(endpoint, 'processOffer', peer.localDescription!.sdp);
  await peer.setRemoteDescription({ type: 'answer', sdp: answer });
  await callKurento(endpoint, 'gatherCandidates');
  await connected;
  return endpoint;
}

async function main(): Promise<void> {
  const kms = await startKmsLite({ engine: 'werift' });
  const pid = kms.process.pid!;
  const kurento = await connectKurento(kms.url);
  const peers: RTCPeerConnection[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
    const publisher = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
    peers.push(publisher);
    const audio = new MediaStreamTrack({ kind: 'audio' });
    const video = new MediaStreamTrack({ kind: 'video' });
    publisher.addTransceiver(audio, { direction: 'sendonly' });
    publisher.addTransceiver(video, { direction: 'sendonly' });
    const source = await connectPeer(pipeline, publisher);

    let seq = 0;
    let tick = 0;
    const videoPayload = Buffer.alloc(VIDEO_PACKET_BYTES, 0x5a);
    const audioPayload = Buffer.alloc(AUDIO_PACKET_BYTES, 0x3c);
    timer = setInterval(() => {
      tick += 1;
      for (let i = 0; i < VIDEO_PACKETS_PER_S / 50; i += 1) {
        seq = (seq + 1) & 0xffff;
        video.writeRtp(
          new RtpPacket(
            new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: tick * 1800, marker: i === 1 }),
            videoPayload,
          ),
        );
      }
      audio.writeRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: 111, sequenceNumber: tick & 0xffff, timestamp: tick * 960 }),
          audioPayload,
        ),
      );
    }, 20);

    const received: number[] = [];
    const results: { subscribers: number; cpuPercent: number; rssKiB: number }[] = [];
    process.stdout.write(`[bench] kms-lite pid ${pid}; sampling ${WINDOW_S} s per step\n`);
    const baseline = await sample(pid);
    results.push({ subscribers: 0, ...baseline });
    process.stdout.write(`[bench] 0 subscribers: ${baseline.cpuPercent} % CPU, ${baseline.rssKiB} KiB RSS\n`);
    for (const target of STEPS) {
      while (peers.length - 1 < target) {
        const index = received.length;
        received.push(0);
        const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
        peers.push(peer);
        peer.addTransceiver('audio', { direction: 'recvonly' });
        peer.addTransceiver('video', { direction: 'recvonly' });
        peer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => (received[index] += 1)));
        const sink = await connectPeer(pipeline, peer);
        await callKurento(source, 'connect', sink);
      }
      const before = [...received];
      const step = await sample(pid);
      const starving = received.filter((n, i) => n === before[i]).length;
      if (starving > 0)
        process.stdout.write(`[bench] warning: ${starving} subscribers received nothing during the window\n`);
      results.push({ subscribers: target, ...step });
      process.stdout.write(
        `[bench] ${target} subscribers: ${step.cpuPercent} % CPU, ${step.rssKiB} KiB RSS\n`,
      );
    }

    const rows = results.slice(1).map((r) => ({
      ...r,
      cpuPercentPerSubscriber: Math.round(((r.cpuPercent - baseline.cpuPercent) / r.subscribers) * 100) / 100,
      rssKiBPerSubscriber: Math.round((r.rssKiB - baseline.rssKiB) / r.subscribers),
    }));
    const report = {
      benchmark: 'kms-lite fan-out',
      date: new Date().toISOString(),
      engine: 'werift',
      publisher: {
        videoKbps: Math.round((VIDEO_PACKET_BYTES * VIDEO_PACKETS_PER_S * 8) / 1000),
        audioPacketsPerSecond: 50,
      },
      windowSeconds: WINDOW_S,
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', node: process.version },
      note: 'CPU is % of one core used by the kms-lite process; publisher and subscribers run in the benchmark process on the same machine.',
      baseline,
      steps: rows,
    };
    console.table(rows);
    const dir = join(workspaceRoot(), 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `kms-lite-${report.date.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    process.stdout.write(`[bench] wrote ${file}\n`);
    await callKurento(pipeline, 'release');
  } finally {
    if (timer) clearInterval(timer);
    await Promise.all(peers.map((p) => p.close().catch(() => undefined)));
    closeKurento(kurento);
    await kms.stop();
  }
}

main()
  .then(() => process.exit(0))
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
