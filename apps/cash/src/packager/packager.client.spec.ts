import { CashErrorCode } from '../cash-error';
import { HttpPackagerClient } from './packager.client';

type Call = { url: string; init: RequestInit };

function client(answer: (call: Call) => Response | Promise<Response>, timeoutMs = 1_000) {
  const calls: Call[] = [];
  const fake = (async (url: string | URL, init?: RequestInit) => {
    const call = { url: String(url), init: init ?? {} };
    calls.push(call);
    return answer(call);
  }) as typeof fetch;
  return {
    calls,
    packager: new HttpPackagerClient({
      url: 'http://packager:3400/',
      controlKey: 'control-key-0123456789',
      timeoutMs,
      fetch: fake,
    }),
  };
}

const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const problem = (status: number, code: string) =>
  json(
    status,
    { type: 'about:blank', title: code, status, code, detail: `because ${code}` },
    'application/problem+json',
  );

describe('HttpPackagerClient', () => {
  it('speaks the control API with the bearer key and JSON bodies', async () => {
    const { calls, packager } = client(({ url }) =>
      url.endsWith('/v1/streams')
        ? json(201, {
            streamId: 'abcdefgh12',
            playlistPath: '/c/live/p/abcdefgh12/playlist.m3u8',
            sdpOffer: 'v=0',
            state: 'live',
          })
        : new Response(null, { status: 204 }),
    );
    const stream = await packager.startStream({
      conferenceId: 'conf',
      stage: 'conf',
      userId: 'p-1',
      kinds: ['video'],
      live: true,
    });
    expect(stream).toEqual({
      streamId: 'abcdefgh12',
      playlistPath: '/c/live/p/abcdefgh12/playlist.m3u8',
      sdpOffer: 'v=0',
    });
    await packager.rtpAnswer('abcdefgh12', 'v=0 answer');
    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['POST', 'http://packager:3400/v1/streams'],
      ['POST', 'http://packager:3400/v1/streams/abcdefgh12/rtp-answer'],
    ]);
    expect(calls[0].init.headers).toMatchObject({ authorization: 'Bearer control-key-0123456789' });
    expect(JSON.parse(String(calls[1].init.body))).toEqual({ sdpAnswer: 'v=0 answer' });
  });

  it.each([
    ['packager.storage-full', 507, CashErrorCode.RecordingStorageFull],
    ['packager.recording-unavailable', 503, CashErrorCode.RecordingUnavailable],
    ['packager.recording-exists', 409, CashErrorCode.AlreadyRecording],
    ['packager.not-recording', 409, CashErrorCode.NotRecording],
    ['packager.full', 503, CashErrorCode.RecordingUnavailable],
    ['packager.unauthorized', 401, CashErrorCode.RecordingUnavailable],
  ])('maps %s (%i) to %s, keeping what the packager said', async (code, status, expected) => {
    const { packager } = client(() => problem(status, code));
    await expect(packager.startRecording('abcdefgh12', 'rec-1')).rejects.toMatchObject({
      code: expected,
      status,
      packagerCode: code,
    });
  });

  it('takes a gone stream as stopped and unknown (404), and never puts the key in an error', async () => {
    const { packager } = client(() => problem(404, 'hls.stream-not-found'));
    await expect(packager.stopStream('abcdefgh12')).resolves.toBeUndefined();
    await expect(packager.getStream('abcdefgh12')).resolves.toBeUndefined();
    const down = client(() => Promise.reject(new TypeError('fetch failed: ECONNREFUSED')));
    const error = await down.packager.listRecordings('conf').catch((e: Error) => e);
    expect(error).toMatchObject({ code: CashErrorCode.RecordingUnavailable });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('control-key');
  });

  it('gives up after its timeout', async () => {
    const { packager } = client(
      ({ init }) =>
        new Promise<Response>((_resolve, reject) =>
          init.signal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'TimeoutError' })),
          ),
        ),
      50,
    );
    await expect(packager.getStream('abcdefgh12')).rejects.toMatchObject({
      code: CashErrorCode.RecordingUnavailable,
      message: expect.stringContaining('more than 50 ms'),
    });
  });
});
