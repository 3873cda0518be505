import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbePacket {
  codec_type: string;
  stream_index: number;
  dts_time?: string;
  duration_time?: string;
  flags: string;
}

/** ffprobe's streams and packets of a file. */
export async function ffprobe(file: string) {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_streams', '-show_packets', '-of', 'json', file],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as {
    streams: {
      index: number;
      codec_type: string;
      codec_name: string;
      profile?: string;
      sample_rate?: string;
    }[];
    packets: ProbePacket[];
  };
}

/** Largest step between consecutive decode times of one media type (seconds); fails on a step back. */
export function largestStep(packets: ProbePacket[], type: string): number {
  const times = packets.filter((p) => p.codec_type === type).map((p) => Number(p.dts_time));
  let largest = 0;
  for (let i = 1; i < times.length; i += 1) {
    const step = times[i] - times[i - 1];
    if (step <= 0)
      throw new Error(
        `${type} decode time goes back or repeats at packet ${i}: ${times[i - 1]} → ${times[i]}`,
      );
    largest = Math.max(largest, step);
  }
  return largest;
}
