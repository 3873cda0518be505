import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  TICKET_KEY_DEFAULTS,
  ed25519KeyOf,
  ticketKeyRegistry,
  type Identity,
  type Jwks,
} from '@hoot/auth-kit';
import { AuthErrorCode, type Clock, type TicketKeyStore } from '@hoot/domain';
import { invalidRequest } from '@hoot/service-kit';
import { authError } from '../errors/auth-error';
import { AccountsService } from '../accounts/accounts.service';
import { CLOCK, TICKET_KEY_STORE } from '../auth.tokens';
import type { TicketKeyRequestDto } from './ticket-key-request.dto';

/** Most keys one JWKS answer lists (registries × replicas × restarts within a key's lifetime). */
const MAX_PUBLISHED = 512;

/**
 * Registries' join-ticket keys: a registry registers the public half of the Ed25519 key it signs tickets
 * with (for its own registry id only); auth keeps it for a day and publishes every live key of an enabled
 * registry account. Disabling a registry's account withdraws its keys at once (CASH stops trusting them
 * at its next fetch of the set).
 */
@Injectable()
export class TicketKeysService {
  private readonly logger = new Logger(TicketKeysService.name);

  constructor(
    @Inject(TICKET_KEY_STORE) private readonly store: TicketKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly accounts: AccountsService,
  ) {}

  async register(caller: Identity, body: TicketKeyRequestDto): Promise<{ kid: string; expiresAt: string }> {
    const registry = ticketKeyRegistry(body.kid);
    if (registry === undefined || registry !== caller.username)
      throw invalidRequest([
        { field: 'kid', problems: [`must start with your registry id (${caller.username}.)`] },
      ]);
    if (!ed25519KeyOf({ ...body.publicKey }))
      throw invalidRequest([{ field: 'publicKey.x', problems: ['is not an Ed25519 public key'] }]);
    const now = this.clock.now();
    const expiresAtMs = now + TICKET_KEY_DEFAULTS.lifetimeMs;
    const outcome = await this.store.put({
      kid: body.kid,
      registry,
      accountId: caller.subject,
      x: body.publicKey.x,
      createdAt: new Date(now).toISOString(),
      expiresAtMs,
    });
    if (outcome === 'exists')
      throw authError(AuthErrorCode.TicketKeyExists, `ticket key ${body.kid} is already registered`);
    const pruned = await this.store.prune(registry, TICKET_KEY_DEFAULTS.maxLiveKeysPerRegistry, now);
    this.logger.log({ registry, kid: body.kid, pruned }, 'join ticket key registered');
    return { kid: body.kid, expiresAt: new Date(expiresAtMs).toISOString() };
  }

  /** The live keys of enabled registry accounts, as a JWKS pinned to EdDSA. */
  async jwks(): Promise<Jwks> {
    const live = await this.store.listLive(this.clock.now(), MAX_PUBLISHED);
    const enabled = new Map<string, boolean>();
    for (const accountId of new Set(live.map((k) => k.accountId))) {
      const account = await this.accounts.findRecord(accountId);
      enabled.set(accountId, !!account && !account.disabled);
    }
    return {
      keys: live
        .filter((k) => enabled.get(k.accountId))
        .map((k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.x, kid: k.kid, use: 'sig', alg: 'EdDSA' })),
    };
  }
}
