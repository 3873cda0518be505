import type { CcesPublisher } from '@hoot/events';
import { MediaError, MediaErrorCode, type MediaEndpointRef, type MediaPipelineRef } from '@hoot/media';
import { FakeMediaPort } from '@hoot/media/testing';
import { eventually } from '@hoot/testing';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture, sdpOffer, type RoomFixture } from '../testing/room-fixture';

/**
 * What a join, a publish and a subscribe wait for: the room's creation is journaled with its first join
 * (one wait for the disk), the pipeline is made when someone is in the room (not on the first publish),
 * a subscription's offer and connection go to the media server together, and the room's queue does not
 * wait for the server's candidates. Every event and refusal stays as it was.
 */

const join = (f: RoomFixture, roomId: string, identity: string, extra = {}) => {
  const channel = new RecordingChannel();
  return f.rooms
    .join({ roomId, identity, ticketId: `t-${identity}`, ...extra }, channel)
    .then((id) => ({ id, channel }));
};

/** Lets every pending promise callback and immediate run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

class Gate {
  private opened = false;
  private readonly waiting: (() => void)[] = [];
  wait(): Promise<void> {
    return this.opened ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
  open(): void {
    this.opened = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/** A fake media server whose chosen operations wait for a gate before they run. */
class GatedMediaPort extends FakeMediaPort {
  readonly gates = { createPipeline: new Gate(), processOffer: new Gate(), gatherCandidates: new Gate() };

  constructor(gated: (keyof GatedMediaPort['gates'])[]) {
    super();
    for (const name of Object.keys(this.gates) as (keyof GatedMediaPort['gates'])[]) {
      if (!gated.includes(name)) this.gates[name].open();
    }
  }

  override async createPipeline(roomId: string): Promise<MediaPipelineRef> {
    await this.gates.createPipeline.wait();
    return super.createPipeline(roomId);
  }

  override async processOffer(endpoint: MediaEndpointRef, sdpOffer: string): Promise<string> {
    await this.gates.processOffer.wait();
    return super.processOffer(endpoint, sdpOffer);
  }

  override async gatherCandidates(endpoint: MediaEndpointRef): Promise<void> {
    await this.gates.gatherCandidates.wait();
    return super.gatherCandidates(endpoint);
  }
}

const operations = (media: FakeMediaPort) => media.calls.map((c) => c.operation);

describe('RoomManager waits', () => {
  it("journals a fresh room's reservation and its first join in one go: the join does not wait for the reservation first", async () => {
    const base = roomFixture();
    const pending: { type: string; release: () => void }[] = [];
    const gated: CcesPublisher = {
      publish: (input) =>
        new Promise((resolve, reject) => {
          pending.push({
            type: input.type,
            release: () => base.events.publish(input).then(resolve, reject),
          });
        }),
      backlog: () => 0,
    };
    const f = roomFixture({ events: gated });
    const joining = join(f, 'fresh', 'alice');
    await settle();
    // All are with the journal before any is durable (before: the room's reservation alone, then the join).
    expect(pending.map((p) => p.type)).toEqual([
      'room.reserved',
      'room.started',
      'participant.joined',
      'room.owner-changed',
    ]);
    for (const p of pending) p.release();
    const alice = await joining;
    expect(alice.channel.ofType('joined')).toHaveLength(1);
    expect(base.events.events.map((e) => e.type)).toEqual([
      'room.reserved',
      'room.started',
      'participant.joined',
      'room.owner-changed',
    ]);
    // A second join waits for nothing but its own event.
    const bob = join(f, 'fresh', 'bob');
    await settle();
    expect(pending.slice(4).map((p) => p.type)).toEqual(['participant.joined']);
    pending[4].release();
    await bob;
  });

  it('forgets a fresh room and refuses the join when the journal refuses its creation', async () => {
    const failing: CcesPublisher = {
      publish: async () => {
        throw new Error('journal full');
      },
      backlog: () => 0,
    };
    const f = roomFixture({ events: failing });
    const channel = new RecordingChannel();
    await expect(
      f.rooms.join({ roomId: 'nojournal', identity: 'alice', ticketId: 't-alice' }, channel),
    ).rejects.toMatchObject({ code: CashErrorCode.EventsUnavailable });
    expect(f.rooms.has('nojournal')).toBe(false);
    expect(channel.ofType('joined')).toEqual([]);
  });

  it('keeps a fresh room (reserved, empty) when the rules refuse its first join', async () => {
    const f = roomFixture();
    await expect(join(f, 'guarded', 'alice', { role: 'nope' })).rejects.toMatchObject({
      message: expect.stringContaining('role'),
    });
    expect(f.rooms.has('guarded')).toBe(true);
    expect(f.events.events.map((e) => e.type)).toEqual(['room.reserved']);
  });

  it('makes the pipeline when the first participant joins, and the first publish uses it', async () => {
    const f = roomFixture();
    const alice = await join(f, 'warm', 'alice');
    await eventually(() => expect(f.media.pipelines()).toHaveLength(1));
    expect(f.rooms.info('warm')?.hasPipeline).toBe(true);
    await f.rooms.publish('warm', alice.id, ['audio', 'video'], sdpOffer(), 'r1');
    expect(alice.channel.ofType('publish-answer')).toHaveLength(1);
    expect(operations(f.media).filter((o) => o === 'createPipeline')).toHaveLength(1);
    expect(f.media.pipelines()).toHaveLength(1);
  });

  it('waits for the pipeline being made rather than making a second one', async () => {
    const media = new GatedMediaPort(['createPipeline']);
    const f = roomFixture({ media });
    const alice = await join(f, 'slow', 'alice');
    const publishing = f.rooms.publish('slow', alice.id, ['audio'], sdpOffer(['audio']));
    await settle();
    media.gates.createPipeline.open();
    await publishing;
    expect(operations(media).filter((o) => o === 'createPipeline')).toHaveLength(1);
    expect(media.pipelines()).toHaveLength(1);
    expect(media.pipelines()[0].endpoints).toHaveLength(1);
  });

  it('releases a pipeline that comes after its room ended', async () => {
    const media = new GatedMediaPort(['createPipeline']);
    const f = roomFixture({ media });
    await join(f, 'short', 'alice');
    await f.rooms.end('short');
    media.gates.createPipeline.open();
    await eventually(() => expect(operations(media)).toContain('release'));
    expect(media.pipelines()).toHaveLength(0);
  });

  it('makes a pipeline on publish when the one made ahead of time failed', async () => {
    const f = roomFixture();
    f.media.failNext('createPipeline', new MediaError(MediaErrorCode.ServerError, 'createPipeline: boom'));
    const alice = await join(f, 'retry', 'alice');
    await settle();
    expect(f.media.pipelines()).toHaveLength(0);
    await f.rooms.publish('retry', alice.id, ['audio'], sdpOffer(['audio']), 'r1');
    expect(alice.channel.ofType('publish-answer')).toHaveLength(1);
    expect(f.media.pipelines()).toHaveLength(1);
  });

  it('makes no pipeline for a p2p call', async () => {
    const f = roomFixture();
    await join(f, 'call', 'alice', { roomType: 'p2p' });
    await settle();
    expect(operations(f.media)).not.toContain('createPipeline');
    expect(f.rooms.info('call')?.hasPipeline).toBe(false);
  });

  it("sends a subscription's connect without waiting for its offer to be answered", async () => {
    const media = new GatedMediaPort([]);
    const f = roomFixture({ media });
    const alice = await join(f, 'sub', 'alice');
    const bob = await join(f, 'sub', 'bob');
    await f.rooms.publish('sub', alice.id, ['audio', 'video'], sdpOffer());
    media.gates.processOffer = new Gate();
    const subscribing = f.rooms.subscribe('sub', bob.id, alice.id, sdpOffer(), 'r2');
    // The offer waits at the (gated) server; the connect was sent meanwhile.
    await eventually(() => expect(operations(media).slice(-1)).toEqual(['connect']), { timeoutMs: 2_000 });
    expect(bob.channel.ofType('subscribe-answer')).toEqual([]);
    media.gates.processOffer.open();
    await subscribing;
    expect(bob.channel.ofType('subscribe-answer')[0]).toMatchObject({ re: 'r2', publisherId: alice.id });
    expect(media.connections()).toHaveLength(1);
  });

  it("reports the offer's failure and releases the endpoint when a subscription's offer fails", async () => {
    const f = roomFixture();
    const alice = await join(f, 'badsub', 'alice');
    const bob = await join(f, 'badsub', 'bob');
    await f.rooms.publish('badsub', alice.id, ['audio', 'video'], sdpOffer());
    f.media.failNext('processOffer', new MediaError(MediaErrorCode.SdpRejected, 'processOffer: bad SDP'));
    f.media.failNext('connect', new MediaError(MediaErrorCode.ServerError, 'connect: boom'));
    await expect(f.rooms.subscribe('badsub', bob.id, alice.id, sdpOffer())).rejects.toMatchObject({
      code: CashErrorCode.SdpRejected,
    });
    await eventually(() => expect(f.media.pipelines()[0].endpoints).toHaveLength(1));
    expect(f.media.connections()).toHaveLength(0);
  });

  it("does not hold the room's queue while the server gathers candidates", async () => {
    const media = new GatedMediaPort(['gatherCandidates']);
    const f = roomFixture({ media });
    const alice = await join(f, 'gather', 'alice');
    await f.rooms.publish('gather', alice.id, ['audio', 'video'], sdpOffer(), 'r1');
    expect(alice.channel.ofType('publish-answer')).toHaveLength(1);
    // The next command of the room is not behind the candidates.
    await f.rooms.command('gather', alice.id, { type: 'addChild', text: 'hi' }, 'r2');
    expect(alice.channel.ofType('ice')).toEqual([]);
    media.gates.gatherCandidates.open();
    await eventually(() => expect(alice.channel.ofType('ice').length).toBeGreaterThan(0));
  });

  it('tells its wait observer how long each journal wait and media call took', async () => {
    const f = roomFixture();
    const waits: [string, number][] = [];
    f.rooms.observeWaits((wait, ms) => waits.push([wait, ms]));
    const alice = await join(f, 'observed', 'alice');
    await f.rooms.publish('observed', alice.id, ['audio', 'video'], sdpOffer(), 'r1');
    // The join's journal waits (the room's creation and the join, handed over together), then the
    // publish's media calls (endpoint, offer) and its journal wait.
    expect(waits.map(([wait]) => wait)).toEqual(['journal', 'journal', 'media', 'media', 'journal']);
    expect(waits.every(([, ms]) => ms >= 0)).toBe(true);
  });

  it("releases only a room's pipeline when the room ends: its endpoints go with it", async () => {
    const f = roomFixture();
    const alice = await join(f, 'ending', 'alice');
    const bob = await join(f, 'ending', 'bob');
    await f.rooms.publish('ending', alice.id, ['audio', 'video'], sdpOffer());
    await f.rooms.subscribe('ending', bob.id, alice.id, sdpOffer());
    const before = f.media.calls.length;
    await f.rooms.end('ending');
    await settle();
    // One release (the pipeline), not three (two endpoints, then the pipeline).
    expect(f.media.calls.slice(before).map((c) => c.operation)).toEqual(['release']);
    expect(f.media.pipelines()).toHaveLength(0);
    expect(f.media.connections()).toHaveLength(0);
    expect(bob.channel.ofType('room-ended')).toHaveLength(1);
  });

  it('still releases the endpoints of one who leaves a room that goes on', async () => {
    const f = roomFixture();
    const alice = await join(f, 'staying', 'alice');
    const bob = await join(f, 'staying', 'bob');
    await f.rooms.publish('staying', alice.id, ['audio', 'video'], sdpOffer());
    await f.rooms.subscribe('staying', bob.id, alice.id, sdpOffer());
    const before = f.media.calls.length;
    await f.rooms.leave('staying', bob.id);
    await settle();
    expect(f.media.calls.slice(before).map((c) => c.operation)).toEqual(['release']);
    expect(f.media.pipelines()[0].endpoints).toHaveLength(1);
  });
});
