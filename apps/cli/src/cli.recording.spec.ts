import { writeFileSync } from 'node:fs';
import { HootClient, type FetchLike } from '@hoot/sdk';
import { fakeFetch, refusal } from './cli.runner.fixture';
import { formatDuration } from './commands/recording.commands';
import { CliHarness, sampleRecordings } from './testing/cli-harness';

describe('hoot recording start|stop, hoot recordings (in-process, fake client)', () => {
  it('recording start and stop send the conference and the action, and say what happened', async () => {
    const h = new CliHarness();
    await h.login();
    const started = await h.run('recording', 'start', 'standup');
    expect(started).toMatchObject({ code: 0, stdout: 'Recording rec-1 of standup started.\n' });
    const stopped = await h.run('recording', 'stop', 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(stopped).toMatchObject({ code: 0, stdout: 'Recording rec-1 of standup stopped.\n' });
    expect(h.clients.flatMap((c) => c.calls)).toEqual([
      { method: 'recording', args: ['standup', 'start'] },
      { method: 'recording', args: ['hoot.mx://standup@coremx-1.c1.hoot.mx', 'stop'] },
    ]);
  });

  it('says why a recording ended early; -o json prints the answer as is', async () => {
    const h = new CliHarness();
    await h.login();
    const answer = {
      conferenceId: 'standup',
      recordingId: 'rec-9',
      state: 'stopped',
      startedAt: '2026-11-23T10:00:00.000Z',
      startedBy: 'acc-alice',
      stoppedAt: '2026-11-23T10:01:00.000Z',
      stopReason: 'storage-full',
    } as const;
    h.answers.recording = () => answer;
    expect((await h.run('recording', 'stop', 'standup')).stdout).toBe(
      'Recording rec-9 of standup stopped (storage-full).\n',
    );
    expect(JSON.parse((await h.run('recording', 'stop', 'standup', '-o', 'json')).stdout)).toEqual(answer);
  });

  it('refusals are exit 1 with the server code (not the owner, nobody there, already recording)', async () => {
    const h = new CliHarness();
    await h.login();
    for (const [status, code, detail] of [
      [403, 'conference.not-owner', 'only the owner may start or stop recording'],
      [409, 'conference.not-live', 'nobody is in standup now'],
      [409, 'ALREADY_RECORDING', 'the room is being recorded'],
      [507, 'RECORDING_STORAGE_FULL', 'the recording volume is full'],
    ] as const) {
      h.answers.recording = () => {
        throw refusal(status, code, detail);
      };
      expect(await h.run('recording', 'start', 'standup')).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `error: ${code}: ${detail}\n`,
      });
    }
  });

  it('usage errors (exit 2) for a missing or bad operand, an unknown action; nothing is sent', async () => {
    const h = new CliHarness();
    await h.login();
    for (const args of [
      ['recording', 'start'],
      ['recording', 'start', 'Not An Id!'],
      ['recording', 'stop', 'hoot.mx://standup'],
      ['recordings'],
      ['recordings', '../etc/passwd'],
    ]) {
      const { code, stderr } = await h.run(...args);
      expect([args, code]).toEqual([args, 2]);
      expect(stderr).toMatch(/^error: /);
    }
    expect((await h.run('recording', 'pause', 'standup')).code).toBe(2);
    expect(h.clients.flatMap((c) => c.calls)).toEqual([]);
  });

  it('recordings prints one line per stream: recording, start, stop, stream, duration, playback URL', async () => {
    const h = new CliHarness();
    await h.login();
    const { code, stdout } = await h.run('recordings', 'standup');
    expect(code).toBe(0);
    expect(h.clients[0].calls).toEqual([{ method: 'recordings', args: ['standup'] }]);
    const url = (r: string, s: string) =>
      `https://coremx-1.hoot.example/recordings/standup/${r}/${s}/playlist.m3u8?token=t`;
    expect(stdout.split('\n')).toEqual([
      'RECORDING   STARTED                    STOPPED                    STREAM       DURATION   STATE      PLAYBACK',
      `rec-1       2026-11-23T10:00:00.000Z   2026-11-23T10:05:00.000Z   p-1/camera    0:04:58   complete   ${url('rec-1', 's-1')}`,
      `rec-1       2026-11-23T10:00:00.000Z   2026-11-23T10:05:00.000Z   p-2/screen    1:02:05   complete   ${url('rec-1', 's-2')}`,
      'rec-2       2026-11-23T11:00:00.000Z   (recording)',
      '',
    ]);
  });

  it('recordings -o json prints the list as is; an empty list says so', async () => {
    const h = new CliHarness();
    await h.login();
    expect(JSON.parse((await h.run('recordings', 'standup', '-o', 'json')).stdout)).toEqual(
      sampleRecordings(),
    );
    h.answers.recordings = () => ({ conferenceId: 'standup', recordings: [] });
    expect((await h.run('recordings', 'standup')).stdout).toBe('No recordings of standup.\n');
  });

  it('server text cannot drive the terminal', async () => {
    const h = new CliHarness();
    await h.login();
    const list = sampleRecordings();
    list.recordings[0].streams[0].participantId = 'p-1\u001b[2J';
    h.answers.recordings = () => list;
    const { stdout } = await h.run('recordings', 'standup');
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toContain('p-1?[2J/camera');
  });

  it('help lists the commands', async () => {
    const h = new CliHarness();
    const { stdout } = await h.run('--help');
    expect(stdout).toMatch(/^ {2}recording start +start recording the live room of your conference$/m);
    expect(stdout).toMatch(/^ {2}recordings +list a conference's recordings/m);
    expect((await h.run('recording', '--help')).stdout).toContain('recording stop');
  });

  it('formats durations as h:mm:ss', () => {
    expect([0, 59.9, 60, 3599, 3600, 90061, -3].map(formatDuration)).toEqual([
      '0:00:00',
      '0:00:59',
      '0:01:00',
      '0:59:59',
      '1:00:00',
      '25:01:01',
      '0:00:00',
    ]);
  });
});

describe('hoot recording with the real HootClient over a fake fetch', () => {
  const realClient = (fetch: FetchLike) => (o: { registryUrls: string[]; token?: string }) =>
    new HootClient({ ...o, fetch, timeoutMs: 500, backoff: { initialMs: 1, maxMs: 1 } });
  const loggedIn = (fetch: FetchLike) => {
    const h = new CliHarness({ createClient: realClient(fetch) });
    writeFileSync(
      `${h.configDir}/credentials.json`,
      JSON.stringify({
        username: 'alice',
        registryUrls: ['http://r1:1'],
        accessToken: 'tok',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    return h;
  };

  it('posts {action} to the conference of an address, with the token', async () => {
    const seen: { url: string; init: unknown }[] = [];
    const h = loggedIn(
      fakeFetch(
        {
          'POST http://r1:1/v1/conferences/standup/recording': [
            200,
            {
              conferenceId: 'standup',
              recordingId: 'rec-1',
              state: 'recording',
              startedAt: '2026-11-23T10:00:00.000Z',
              startedBy: 'acc-alice',
            },
          ],
        },
        seen,
      ),
    );
    expect(await h.run('recording', 'start', 'hoot.mx://standup@coremx-1.c1.hoot.mx')).toMatchObject({
      code: 0,
      stdout: 'Recording rec-1 of standup started.\n',
    });
    expect(seen[0].init).toMatchObject({
      method: 'POST',
      body: '{"action":"start"}',
      headers: expect.objectContaining({ authorization: 'Bearer tok' }),
    });
  });

  it("a registry's 403 is exit 1; a list that is not one is exit 1 sdk.answer-invalid", async () => {
    const h = loggedIn(
      fakeFetch({
        'POST http://r1:1/v1/conferences/standup/recording': [
          403,
          { code: 'conference.not-owner', detail: 'only the owner may start or stop recording' },
        ],
        'GET http://r1:1/v1/conferences/standup/recordings': [
          200,
          { conferenceId: 'standup', recordings: 'x' },
        ],
      }),
    );
    expect(await h.run('recording', 'stop', 'standup')).toMatchObject({
      code: 1,
      stderr: 'error: conference.not-owner: only the owner may start or stop recording\n',
    });
    const listed = await h.run('recordings', 'standup');
    expect(listed.code).toBe(1);
    expect(listed.stderr).toMatch(/^error: sdk\.answer-invalid: /);
  });
});
