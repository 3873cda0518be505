/**
 * LL-HLS packager benchmark: the real packager process (apps/packager) with real RTP from ffmpeg
 * (320x240 test pattern, H.264 Constrained Baseline 300 kbit/s, 1 s GOP, Opus 48 kbit/s per stream).
 * Phases, each measured over the same window, in one run:
 *   idle                       the packager with no stream
 *   1 stream, 0 viewers        one stream packaged (the packager's node process + its ffmpeg remuxer)
 *   1 stream, N viewers        N simulated LL-HLS viewers doing what hls.js does in low-latency mode:
 *                              a blocking playlist reload (_HLS_msn/_HLS_part of the preload hint) and the
 *                              hinted part, in parallel, again and again
 *   2 streams, 0 viewers       a second stream (is the cost per stream linear?)
 * CPU is utime+stime from /proc over the window (% of one core), memory the resident set. The viewers
 * run in this process on the same 2-core machine, so the packager competes with them: the ratio is an
 * upper bound. Glass-to-glass latency needs the browser path (a publisher in Chromium through kms-lite's
 * RtpEndpoint): not measured here.
 *
 *   flock /tmp/hoot-heavy.lock nice -n 10 node -r ./tools/ts-node/register.js bench/hls/packager.bench.ts \
 *     [--seconds 15] [--viewers 100]
 * Prints a table and writes bench/results/hls-<time>.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { signViewerToken } from '@hoot/auth-kit';
import { infraPath, ManagedProcess, startPackager, workspaceRoot } from '@hoot/testing';
import { arg, round } from '../bench-cli';

/** The packager as a process (apps/packager/src/main.ts, started by @hoot/testing), on free ports, with fresh keys. */
async function startPackagerForBench() {
  const packager = await startPackager({ logName: `packager-bench-${Date.now()}.log` });
  return {
    baseUrl: packager.url,
    process: packager.process,
    async startStream(body: { conferenceId: string; stage: string; userId: string }): Promise<StartedStream> {
      const res = await packager.control('POST', '/v1/streams', body);
      if (res.status !== 201) throw new Error(`start stream: ${res.status} ${await res.text()}`);
      return (await res.json()) as StartedStream;
    },
    /** A viewer token as CASH signs it. */
    token(conferenceId: string, streamId: string, seconds: number): string {
      return signViewerToken(Buffer.from(packager.viewerTokenKey), {
        conferenceId,
        streamId,
        exp: Math.floor(Date.now() / 1000) + seconds,
      });
    },
    stop: () => packager.stop(),
  };
}

interface StartedStream {
  streamId: string;
  playlistPath: string;
  rtp: {
    address: string;
    video: { port: number; payloadType: number };
    audio: { port: number; payloadType: number };
  };
}

/** ffmpeg as the publisher: test pattern → H.264 baseline (1 s GOP), sine → Opus, two RTP streams. */
function startRtpSender(stream: StartedStream): Promise<ManagedProcess> {
  const { address, video, audio } = stream.rtp;
  // prettier-ignore
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30',
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency', '-preset', 'veryfast',
    '-pix_fmt', 'yuv420p', '-g', '30', '-b:v', '300k',
    '-f', 'rtp', '-payload_type', String(video.payloadType), `rtp://${address}:${video.port}`,
    '-map', '1:a', '-c:a', 'libopus', '-b:a', '48k',
    '-f', 'rtp', '-payload_type', String(audio.payloadType), `rtp://${address}:${audio.port}`,
  ];
  return ManagedProcess.start({
    name: `rtp-sender:${video.port}`,
    command: 'ffmpeg',
    args,
    logFile: infraPath('test-logs', `rtp-sender-bench-${video.port}.log`),
  });
}

/** The preload hint of a playlist (`part-<msn>-<index>.m4s`), and how many complete segments it lists. */
function readPlaylist(text: string): {
  hint?: { uri: string; msn: number; index: number };
  segments: number;
} {
  const m = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="((part-(\d+)-(\d+)\.m4s)[^"]*)"/.exec(text);
  const segments = (text.match(/^#EXTINF:/gm) ?? []).length;
  return m ? { hint: { uri: m[2], msn: Number(m[3]), index: Number(m[4]) }, segments } : { segments };
}

const SECONDS = Number(arg('seconds', '15'));
const VIEWERS = Number(arg('viewers', '100'));
const CLOCK_TICKS = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** The packager's ffmpeg remuxers (its other child is the shell of the test watchdog). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((child) => readFileSync(`/proc/${child}/comm`, 'utf8').trim() === 'ffmpeg');
  } catch {
    return [];
  }
}

interface Sample {
  phase: string;
  nodeCpuPercent: number;
  ffmpegCpuPercent: number;
  nodeRssKiB: number;
  ffmpegRssKiB: number;
  requests?: number;
  requestsPerSecond?: number;
  /** Non-200 answers to blocking playlist reloads (expected: none). */
  playlistErrors?: number;
  /**
   * 404s for a preload-hinted part that never came: the hint names the next part of the open segment,
   * and a keyframe then started a new segment instead (RFC 8216bis §6.2.6 allows it; players move on).
   */
  hintMisses?: number;
}

async function measure(phase: string, packagerPid: number): Promise<Sample> {
  const ffmpegs = children(packagerPid);
  const n0 = cpuTicks(packagerPid);
  const f0 = ffmpegs.map(cpuTicks);
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const nodeCpu = ((cpuTicks(packagerPid) - n0) / CLOCK_TICKS / seconds) * 100;
  const ffCpu =
    (ffmpegs.reduce((sum, pid, i) => sum + (cpuTicks(pid) - f0[i]), 0) / CLOCK_TICKS / seconds) * 100;
  const sample: Sample = {
    phase,
    nodeCpuPercent: round(nodeCpu, 1),
    ffmpegCpuPercent: round(ffCpu, 1),
    nodeRssKiB: rssKiB(packagerPid),
    ffmpegRssKiB: ffmpegs.reduce((sum, pid) => sum + rssKiB(pid), 0),
  };
  process.stdout.write(
    `[bench] ${phase.padEnd(24)} node ${String(sample.nodeCpuPercent).padStart(5)} % CPU ${String(sample.nodeRssKiB).padStart(7)} KiB | ffmpeg ${String(sample.ffmpegCpuPercent).padStart(5)} % CPU ${String(sample.ffmpegRssKiB).padStart(7)} KiB\n`,
  );
  return sample;
}

/** Waits until the stream has `count` complete segments (polling the playlist). */
async function waitForSegments(base: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const res = await fetch(base);
    if (res.status === 200) {
      if (readPlaylist(await res.text()).segments >= count) return;
    } else {
      await res.arrayBuffer();
    }
    await sleep(250);
  }
  throw new Error(`no ${count} segments within 60 s`);
}

/** N viewers in low-latency mode: blocking reload of the hinted part + the part itself, in a loop. */
function startViewers(playlistUrl: string, count: number) {
  let stopped = false;
  const stats = { requests: 0, playlistErrors: 0, hintMisses: 0, otherErrors: 0, bytes: 0 };
  const get = async (url: string): Promise<string | undefined> => {
    const res = await fetch(url);
    stats.requests += 1;
    if (res.status !== 200) {
      if (url.includes('.m3u8')) stats.playlistErrors += 1;
      else if (res.status === 404) stats.hintMisses += 1;
      else stats.otherErrors += 1;
      await res.arrayBuffer();
      return undefined;
    }
    if (url.includes('.m3u8')) return res.text();
    stats.bytes += (await res.arrayBuffer()).byteLength;
    return undefined;
  };
  const viewer = async () => {
    let text = await get(playlistUrl);
    while (!stopped) {
      const hint = text ? readPlaylist(text).hint : undefined;
      if (!hint) {
        text = await get(playlistUrl);
        continue;
      }
      const partUrl = playlistUrl.replace(/playlist\.m3u8\?/, `${hint.uri}?`);
      const [next] = await Promise.all([
        get(`${playlistUrl}&_HLS_msn=${hint.msn}&_HLS_part=${hint.index}`),
        get(partUrl),
      ]);
      text = next ?? (await get(playlistUrl));
    }
  };
  const running = Array.from({ length: count }, () => viewer().catch(() => (stats.otherErrors += 1)));
  return {
    stats,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

async function main(): Promise<void> {
  const senders: ManagedProcess[] = [];
  let packager: Awaited<ReturnType<typeof startPackagerForBench>> | undefined;
  try {
    packager = await startPackagerForBench();
    const pid = packager.process.pid as number;
    const samples: Sample[] = [];
    await sleep(2000);
    samples.push(await measure('idle', pid));

    const streams: StartedStream[] = [];
    const addStream = async (i: number) => {
      const stream = await packager!.startStream({
        conferenceId: `bench-room-${i}`,
        stage: 'bench',
        userId: `publisher-${i}`,
      });
      senders.push(await startRtpSender(stream));
      const token = packager!.token(`bench-room-${i}`, stream.streamId, 3600);
      const url = `${packager!.baseUrl}${stream.playlistPath}?token=${token}`;
      await waitForSegments(url, 2);
      streams.push(stream);
      return url;
    };
    const first = await addStream(1);
    samples.push(await measure('1 stream, 0 viewers', pid));

    const viewers = startViewers(first, VIEWERS);
    await sleep(3000);
    const before = { ...viewers.stats };
    const withViewers = await measure(`1 stream, ${VIEWERS} viewers`, pid);
    withViewers.requests = viewers.stats.requests - before.requests;
    withViewers.requestsPerSecond = round(withViewers.requests / SECONDS, 1);
    withViewers.playlistErrors =
      viewers.stats.playlistErrors - before.playlistErrors + viewers.stats.otherErrors;
    withViewers.hintMisses = viewers.stats.hintMisses - before.hintMisses;
    samples.push(withViewers);
    await viewers.stop();

    await addStream(2);
    samples.push(await measure('2 streams, 0 viewers', pid));

    const [idle, one, many, two] = samples;
    const summary = {
      streamCost: {
        nodeCpuPercent: round(one.nodeCpuPercent - idle.nodeCpuPercent, 1),
        ffmpegCpuPercent: one.ffmpegCpuPercent,
        nodeRssKiB: one.nodeRssKiB - idle.nodeRssKiB,
        ffmpegRssKiB: one.ffmpegRssKiB,
      },
      secondStreamCost: {
        nodeCpuPercent: round(two.nodeCpuPercent - one.nodeCpuPercent, 1),
        ffmpegCpuPercent: round(two.ffmpegCpuPercent - one.ffmpegCpuPercent, 1),
        rssKiB: two.nodeRssKiB + two.ffmpegRssKiB - one.nodeRssKiB - one.ffmpegRssKiB,
      },
      viewers: {
        count: VIEWERS,
        nodeCpuRatio: round(many.nodeCpuPercent / Math.max(one.nodeCpuPercent, 0.1), 2),
        nodeCpuPercentPer100Viewers: round(((many.nodeCpuPercent - one.nodeCpuPercent) / VIEWERS) * 100, 1),
        nodeRssKiBPer100Viewers: Math.round(((many.nodeRssKiB - one.nodeRssKiB) / VIEWERS) * 100),
        requestsPerSecond: many.requestsPerSecond,
        playlistErrors: many.playlistErrors,
        hintMisses: many.hintMisses,
      },
    };
    process.stdout.write(
      `[bench] one stream costs the packager ${summary.streamCost.nodeCpuPercent} % CPU + ffmpeg ${summary.streamCost.ffmpegCpuPercent} % CPU, ${summary.streamCost.nodeRssKiB} KiB + ${summary.streamCost.ffmpegRssKiB} KiB RSS\n`,
    );
    process.stdout.write(
      `[bench] ${VIEWERS} viewers: node CPU ×${summary.viewers.nodeCpuRatio} of 0 viewers (+${summary.viewers.nodeCpuPercentPer100Viewers} % per 100), ${summary.viewers.requestsPerSecond} requests/s, ${summary.viewers.playlistErrors} playlist errors, ${summary.viewers.hintMisses} hinted parts that never came (404, at segment starts)\n`,
    );
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const dir = join(workspaceRoot(), 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `hls-${stamp}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          bench: 'hls-packager',
          seconds: SECONDS,
          media:
            '320x240 30 fps H.264 baseline 300 kbit/s GOP 30 + Opus 48 kbit/s → AAC 96 kbit/s, parts 334 ms, segments 2 s',
          samples,
          summary,
          machine: {
            cpus: availableParallelism(),
            model: cpus()[0]?.model ?? 'unknown',
            node: process.version,
          },
        },
        null,
        2,
      )}\n`,
    );
    process.stdout.write(`[bench] wrote ${file}\n`);
  } finally {
    for (const sender of senders) await sender.stop(5000);
    await packager?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
