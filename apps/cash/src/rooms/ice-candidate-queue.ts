import type { Clock, TimerHandle } from '@hoot/domain';
import type { MediaEndpointRef, MediaIceCandidate } from '@hoot/media';

/** Whose candidate for which media endpoint (`publisherId` = the participant itself: its publish endpoint). */
export interface IceTarget {
  roomId: string;
  participantId: string;
  publisherId: string;
  /** The publisher's shared screen (its second stream) rather than its camera. */
  stream?: 'screen';
}

export interface IceCandidateLogger {
  warn(context: object, message: string): void;
}

export interface IceCandidateQueueOptions {
  clock: Clock;
  logger: IceCandidateLogger;
  /** The media server call (`MediaPort.addIceCandidate`). */
  apply(endpoint: MediaEndpointRef, candidate: MediaIceCandidate): Promise<void>;
  /** A candidate the media server did not take within this is skipped (the call may still finish). */
  timeoutMs?: number;
  /** Candidates waiting per endpoint; more are dropped (logged). */
  maxPerEndpoint?: number;
  /** How long candidates for an endpoint that does not exist yet are held before they are dropped. */
  holdMs?: number;
}

export const ICE_CANDIDATE_DEFAULTS = {
  /**
   * Kurento answers addIceCandidate in milliseconds; a candidate it sits on for seconds (an mDNS `.local`
   * host it tries to resolve) is one the connection does without: skip it so the next one is not held up.
   */
  timeoutMs: 3_000,
  /** A browser trickles a few to a few dozen per connection; more is a broken or hostile client. */
  maxPerEndpoint: 64,
  /** Candidates may arrive before `publish-answer` was processed here; the endpoint exists within a second. */
  holdMs: 10_000,
} as const;

interface Lane {
  target: IceTarget;
  endpoint: MediaEndpointRef | undefined;
  pending: MediaIceCandidate[];
  running: boolean;
  holdTimer: TimerHandle | undefined;
}

/**
 * Applies clients' trickled ICE candidates to media endpoints off the rooms' command queues, so a slow or
 * failing candidate never holds up signaling and never fails a session. Per endpoint the candidates are
 * applied in order, each bounded by `timeoutMs`; at most `maxPerEndpoint` wait. A failure or timeout is
 * logged (room, participant, endpoint) and the candidate skipped. Candidates for an endpoint that does not
 * exist yet are held until it does (`ready`) or `holdMs` passed, then dropped (logged).
 */
export class IceCandidateQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly timeoutMs: number;
  private readonly maxPerEndpoint: number;
  private readonly holdMs: number;

  constructor(private readonly options: IceCandidateQueueOptions) {
    this.timeoutMs = options.timeoutMs ?? ICE_CANDIDATE_DEFAULTS.timeoutMs;
    this.maxPerEndpoint = options.maxPerEndpoint ?? ICE_CANDIDATE_DEFAULTS.maxPerEndpoint;
    this.holdMs = options.holdMs ?? ICE_CANDIDATE_DEFAULTS.holdMs;
  }

  /** Candidates waiting (held or queued) for a target; for specs and diagnostics. */
  waiting(target: IceTarget): number {
    return this.lanes.get(keyOf(target))?.pending.length ?? 0;
  }

  /** Queues a candidate; `endpoint` is the target's endpoint now (undefined: not yet: hold it). */
  add(target: IceTarget, endpoint: MediaEndpointRef | undefined, candidate: MediaIceCandidate): void {
    const lane = this.laneOf(target);
    if (endpoint && lane.endpoint?.id !== endpoint.id) this.attach(lane, endpoint);
    if (lane.pending.length >= this.maxPerEndpoint) {
      this.skip(lane, candidate, `more than ${this.maxPerEndpoint} candidates waiting for this endpoint`);
      return;
    }
    lane.pending.push(candidate);
    if (lane.endpoint) void this.pump(lane);
    else this.hold(lane);
  }

  /**
   * A new endpoint is being negotiated for the target (publish, re-offer, re-subscribe): candidates from
   * now on are for it, so they are held until `ready` instead of going to the old endpoint (whose
   * waiting candidates are dropped).
   */
  expectNew(target: IceTarget): void {
    const lane = this.laneOf(target);
    if (lane.endpoint === undefined) return; // held ones wait for the endpoint being made
    lane.endpoint = undefined;
    lane.pending.length = 0; // they were for the old endpoint
  }

  /** The target's endpoint exists now: held candidates go to it. */
  ready(target: IceTarget, endpoint: MediaEndpointRef): void {
    const lane = this.lanes.get(keyOf(target));
    if (!lane) return;
    this.attach(lane, endpoint);
    void this.pump(lane);
  }

  /** The target's endpoint is gone (unpublish, leave, re-subscribe, room end): waiting candidates are dropped. */
  forget(target: IceTarget): void {
    const lane = this.lanes.get(keyOf(target));
    if (!lane) return;
    this.clearHold(lane);
    lane.pending.length = 0;
    this.lanes.delete(keyOf(target));
  }

  /**
   * Every target of a room (it ended or was rebuilt), or only those of one participant in it (its own
   * endpoints and the subscriptions to its stream).
   */
  forgetAll(roomId: string, participantId?: string): void {
    for (const lane of [...this.lanes.values()]) {
      const t = lane.target;
      if (t.roomId !== roomId) continue;
      if (participantId !== undefined && t.participantId !== participantId && t.publisherId !== participantId)
        continue;
      this.forget(t);
    }
  }

  private laneOf(target: IceTarget): Lane {
    const key = keyOf(target);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        target: { ...target },
        endpoint: undefined,
        pending: [],
        running: false,
        holdTimer: undefined,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private attach(lane: Lane, endpoint: MediaEndpointRef): void {
    lane.endpoint = endpoint;
    this.clearHold(lane);
  }

  private hold(lane: Lane): void {
    if (lane.holdTimer !== undefined) return;
    lane.holdTimer = this.options.clock.setTimeout(() => {
      lane.holdTimer = undefined;
      if (lane.endpoint || this.lanes.get(keyOf(lane.target)) !== lane) return;
      this.options.logger.warn(
        { ...lane.target, dropped: lane.pending.length, holdMs: this.holdMs },
        'ICE candidates dropped: their media endpoint did not exist in time',
      );
      this.lanes.delete(keyOf(lane.target));
    }, this.holdMs);
    (lane.holdTimer as { unref?: () => void }).unref?.();
  }

  private clearHold(lane: Lane): void {
    if (lane.holdTimer !== undefined) this.options.clock.clearTimeout(lane.holdTimer);
    lane.holdTimer = undefined;
  }

  /** Applies the lane's candidates one at a time, each bounded by the timeout. */
  private async pump(lane: Lane): Promise<void> {
    if (lane.running) return;
    lane.running = true;
    try {
      while (lane.endpoint && lane.pending.length > 0 && this.lanes.get(keyOf(lane.target)) === lane) {
        const candidate = lane.pending.shift() as MediaIceCandidate;
        try {
          await this.bounded(this.options.apply(lane.endpoint, candidate));
        } catch (error) {
          this.skip(lane, candidate, error);
        }
      }
    } finally {
      lane.running = false;
    }
  }

  private bounded(call: Promise<void>): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.options.clock.setTimeout(
        () => reject(new Error(`no answer from the media server within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      (timer as { unref?: () => void }).unref?.();
    });
    call.catch(() => undefined); // a late failure after the timeout is not unhandled
    return Promise.race([call, timeout]).finally(() => {
      if (timer !== undefined) this.options.clock.clearTimeout(timer);
    });
  }

  private skip(lane: Lane, candidate: MediaIceCandidate, why: unknown): void {
    this.options.logger.warn(
      {
        ...lane.target,
        ...(why instanceof Error ? { err: why } : { reason: String(why) }),
        candidate: describeCandidate(candidate),
      },
      'ICE candidate skipped (the session goes on without it)',
    );
  }
}

function keyOf(t: IceTarget): string {
  return `${t.roomId}\u0000${t.participantId}\u0000${t.publisherId}${t.stream === 'screen' ? '\u0000screen' : ''}`;
}

/** What helps diagnose a candidate without logging the client's addresses: its type, protocol and mDNS use. */
export function describeCandidate(c: MediaIceCandidate): object {
  const fields = c.candidate.replace(/^candidate:/, '').split(/\s+/);
  const typIndex = fields.indexOf('typ');
  return {
    sdpMid: c.sdpMid,
    sdpMLineIndex: c.sdpMLineIndex,
    protocol: fields[2]?.toLowerCase(),
    type: typIndex >= 0 ? fields[typIndex + 1] : undefined,
    mdns: /\.local$/i.test(fields[4] ?? ''),
  };
}
