import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Clock } from '@hoot/domain';
import { joinTicketClaims, signRs256 } from '@hoot/auth-kit';
import { MetricsService } from '@hoot/service-kit';
import { Counter } from 'prom-client';
import { AUTH_CONFIG, CLOCK } from '../auth.tokens';
import type { AuthConfig } from '../config/auth.config';
import { KeyRingService } from '../keys/key-ring.service';
import { JOIN_TICKET_DEFAULTS, type JoinTicketRequestDto } from './join-ticket-request.dto';

export interface IssuedJoinTicket {
  ticket: string;
  ticketId: string;
  /** ISO-8601. */
  expiresAt: string;
}

/**
 * Signs join tickets for CASH (claims documented in apps/cash/src/tickets/join-ticket.verifier.ts) with the
 * same key, algorithm and issuer as access tokens. The audience is one CoreMX, so a ticket is never an
 * access token anywhere else, and a ticket for one CoreMX is refused by every other.
 */
@Injectable()
export class JoinTicketIssuer {
  private readonly logger = new Logger(JoinTicketIssuer.name);
  private readonly issued: Counter<'registry'>;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly keys: KeyRingService,
    metrics: MetricsService,
  ) {
    this.issued = new Counter({
      name: 'auth_join_tickets_issued_total',
      help: 'Join tickets signed, by requesting registry',
      labelNames: ['registry'],
      registers: [metrics.registry],
    });
  }

  /** `registry` is the requesting registry id (for the log and the metric). */
  issue(registry: string, request: JoinTicketRequestDto): IssuedJoinTicket {
    const ttl = request.ttlSeconds ?? JOIN_TICKET_DEFAULTS.ttlSeconds;
    const iat = Math.floor(this.clock.now() / 1000);
    const key = this.keys.ring.signingKey();
    const ticketId = randomUUID();
    const claims = joinTicketClaims({
      ...request,
      issuer: this.config.AUTH_ISSUER,
      ticketId,
      issuedAt: iat,
      ttlSeconds: ttl,
    });
    const ticket = signRs256(claims, key.privateKey, key.kid);
    const expiresAt = new Date((iat + ttl) * 1000).toISOString();
    this.issued.inc({ registry });
    this.logger.debug(
      {
        ticketId,
        registry,
        coremxId: request.coremxId,
        conferenceId: request.conferenceId,
        subject: request.subject,
        kid: key.kid,
        expiresAt,
      },
      'join ticket issued',
    );
    return { ticket, ticketId, expiresAt };
  }
}
