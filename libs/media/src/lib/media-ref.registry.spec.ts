import { MediaError, MediaErrorCode } from './media-error.exception';
import { CandidateFanOut, MediaRefRegistry } from './media-ref.registry';
import type { MediaIceCandidate } from './media.port';

const candidate = (n: number): MediaIceCandidate => ({
  candidate: `candidate:${n} 1 udp 1 10.0.0.1 9 typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof MediaError ? error.code : 'not a MediaError';
  }
}

describe('MediaRefRegistry', () => {
  function build() {
    const registry = new MediaRefRegistry<string, string>();
    const pipeline = registry.addPipeline('room', 'p1', 'native-p1');
    const endpoint = registry.addEndpoint(pipeline, 'p1/e1', 'native-e1', {
      kind: 'publish',
      audioOnly: false,
    });
    return { registry, pipeline, endpoint };
  }

  it('hands out frozen refs and finds their entries', () => {
    const { registry, pipeline, endpoint } = build();
    expect(Object.isFrozen(pipeline.ref)).toBe(true);
    expect(endpoint.ref).toEqual({
      type: 'endpoint',
      id: 'p1/e1',
      pipelineId: 'p1',
      roomId: 'room',
      kind: 'publish',
      audioOnly: false,
      generation: 0,
    });
    expect(registry.pipeline(pipeline.ref, 'op').native).toBe('native-p1');
    // A copy of a ref (say, after serialization) is as good as the original.
    expect(registry.endpoint({ ...endpoint.ref }, 'op').native).toBe('native-e1');
  });

  it('refuses things that are no refs as invalid and unknown refs as gone', () => {
    const { registry, pipeline, endpoint } = build();
    expect(codeOf(() => registry.pipeline(endpoint.ref, 'op'))).toBe(MediaErrorCode.InvalidArgument);
    expect(codeOf(() => registry.endpoint({ id: 'p1/e1' }, 'op'))).toBe(MediaErrorCode.InvalidArgument);
    expect(codeOf(() => registry.find('p1', 'op'))).toBe(MediaErrorCode.InvalidArgument);
    expect(codeOf(() => registry.pipeline({ ...pipeline.ref, id: 'p9' }, 'op'))).toBe(
      MediaErrorCode.ObjectGone,
    );
  });

  it('removes a pipeline with its endpoints', () => {
    const { registry, pipeline, endpoint } = build();
    registry.remove(pipeline.ref);
    expect(codeOf(() => registry.endpoint(endpoint.ref, 'op'))).toBe(MediaErrorCode.ObjectGone);
    expect(registry.find(endpoint.ref, 'op')).toBeUndefined();
    expect(registry.pipelineIds()).toEqual([]);
  });

  it('removes an endpoint from its pipeline', () => {
    const { registry, pipeline, endpoint } = build();
    registry.remove(endpoint.ref);
    expect(registry.endpointsOf(pipeline.ref.id)).toEqual([]);
    expect(registry.hasPipeline('p1')).toBe(true);
  });

  it('makes every earlier ref gone on reset, even when the server reuses an id', () => {
    const { registry, pipeline } = build();
    const held = registry.reset();
    expect(held.map((entry) => entry.ref.id)).toEqual(['p1']);
    expect(registry.generation).toBe(1);
    registry.addPipeline('room', 'p1', 'again');
    expect(codeOf(() => registry.pipeline(pipeline.ref, 'op'))).toBe(MediaErrorCode.ObjectGone);
  });
});

describe('CandidateFanOut', () => {
  it('keeps candidates until the first listener and then delivers to every listener', () => {
    const fanOut = new CandidateFanOut(() => undefined);
    fanOut.emit(candidate(1));
    const first: MediaIceCandidate[] = [];
    const second: MediaIceCandidate[] = [];
    fanOut.add((c) => first.push(c));
    const stop = fanOut.add((c) => second.push(c));
    fanOut.emit(candidate(2));
    stop();
    stop();
    fanOut.emit(candidate(3));
    expect(first).toEqual([candidate(1), candidate(2), candidate(3)]);
    expect(second).toEqual([candidate(2)]);
  });

  it('reports a throwing listener and still serves the others', () => {
    const reported: unknown[] = [];
    const fanOut = new CandidateFanOut((error) => reported.push(error));
    const seen: MediaIceCandidate[] = [];
    fanOut.add(() => {
      throw new Error('listener bug');
    });
    fanOut.add((c) => seen.push(c));
    fanOut.emit(candidate(1));
    expect(reported).toEqual([new Error('listener bug')]);
    expect(seen).toEqual([candidate(1)]);
  });

  it('forgets listeners and kept candidates on clear', () => {
    const fanOut = new CandidateFanOut(() => undefined);
    fanOut.emit(candidate(1));
    fanOut.clear();
    const seen: MediaIceCandidate[] = [];
    fanOut.add((c) => seen.push(c));
    expect(seen).toEqual([]);
  });
});
