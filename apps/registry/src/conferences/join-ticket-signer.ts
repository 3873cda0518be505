import { randomUUID } from 'node:crypto';
import {
  TICKET_KEY_DEFAULTS,
  joinTicketClaims,
  newTicketSigningKey,
  registryTicketIssuer,
  signEdDsa,
  type TicketSigningKey,
} from '@hoot/auth-kit';
import type { Clock, TimerHandle } from '@hoot/domain';
import type { TicketIssuer } from './conference.service';

/** What registers a key with auth (auth-kit's `TicketKeyClient`). */
export interface TicketKeyRegistrar {
  register(key: Pick<TicketSigningKey, 'kid' | 'publicJwk'>): Promise<{ expiresAtMs: number }>;
}

export interface JoinTicketSignerOptions {
  /** This registry's id (`reg-<cloud>-<priority>`): its service account's username, the keys' prefix. */
  registryId: string;
  registrar: TicketKeyRegistrar;
  clock: Clock;
  log: { info(data: object, message: string): void; warn(data: object, message: string): void };
  rotateEveryMs?: number;
  activationDelayMs?: number;
  /** First pause after a failed registration; doubles up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  newKey?: (registryId: string) => TicketSigningKey;
}

interface LiveKey {
  key: TicketSigningKey;
  /** Signs from this time on (epoch ms): the activation delay after auth took it. */
  usableAt: number;
}

/** Thrown by `issue` while no registered key is usable yet (the join answers 503 with `Retry-After`). */
export class NoTicketKeyError extends Error {
  constructor() {
    super('no join ticket key is registered with auth yet');
    this.name = 'NoTicketKeyError';
  }
}

/**
 * Signs join tickets in the registry itself: no call to auth per join. Makes an Ed25519 key in memory,
 * registers its public half with auth (which publishes it for CASH), signs with it once the activation
 * delay passed, and starts a fresh key every `rotateEveryMs` (the old one signs until the new one is
 * usable; its tickets stay valid until they expire). A failed registration is retried with backoff, each
 * attempt with a fresh key. The caller's token was verified just before (signature, expiry, revocations,
 * a disabled account): the ticket adds only the conference, CoreMX, role and a short life.
 */
export class JoinTicketSigner implements TicketIssuer {
  private current: LiveKey | undefined;
  private next: LiveKey | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private failures = 0;
  private readonly rotateEveryMs: number;
  private readonly activationDelayMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly o: JoinTicketSignerOptions) {
    this.rotateEveryMs = o.rotateEveryMs ?? TICKET_KEY_DEFAULTS.rotateEveryMs;
    this.activationDelayMs = o.activationDelayMs ?? TICKET_KEY_DEFAULTS.activationDelayMs;
    this.retryInitialMs = o.retryInitialMs ?? 1_000;
    this.retryMaxMs = o.retryMaxMs ?? 30_000;
  }

  /** Registers the first key (in the background: `ready()` tells when tickets can be signed). */
  start(): void {
    this.stopped = false;
    void this.rotate();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A registered key is usable now. */
  ready(): boolean {
    return this.signingKey() !== undefined;
  }

  /** The kid tickets are signed with now (diagnostics, tests). */
  signingKid(): string | undefined {
    return this.signingKey()?.kid;
  }

  async issue(request: Parameters<TicketIssuer['issue']>[0]) {
    const key = this.signingKey();
    if (!key) throw new NoTicketKeyError();
    const ttl = request.ttlSeconds ?? 120;
    const iat = Math.floor(this.o.clock.now() / 1000);
    const ticketId = randomUUID();
    const ticket = signEdDsa(
      joinTicketClaims({
        ...request,
        issuer: registryTicketIssuer(this.o.registryId),
        ticketId,
        issuedAt: iat,
        ttlSeconds: ttl,
      }),
      key.privateKey,
      key.kid,
    );
    return { ticket, ticketId, expiresAt: new Date((iat + ttl) * 1000).toISOString() };
  }

  private signingKey(): TicketSigningKey | undefined {
    const now = this.o.clock.now();
    if (this.next && now >= this.next.usableAt) {
      this.current = this.next;
      this.next = undefined;
    }
    return this.current && now >= this.current.usableAt ? this.current.key : undefined;
  }

  private async rotate(): Promise<void> {
    if (this.stopped) return;
    const key = (this.o.newKey ?? newTicketSigningKey)(this.o.registryId);
    try {
      await this.o.registrar.register(key);
    } catch (error) {
      if (this.stopped) return;
      this.failures += 1;
      const delay = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** (this.failures - 1));
      this.o.log.warn(
        { err: (error as Error).message, attempt: this.failures, retryInMs: delay },
        'join ticket key not registered with auth; retrying',
      );
      this.schedule(delay);
      return;
    }
    if (this.stopped) return;
    this.failures = 0;
    const live = { key, usableAt: this.o.clock.now() + this.activationDelayMs };
    if (this.current) this.next = live;
    else this.current = live;
    this.o.log.info(
      { kid: key.kid, usableInMs: this.activationDelayMs },
      'join ticket key registered with auth',
    );
    this.schedule(this.rotateEveryMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => void this.rotate(), delayMs);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
