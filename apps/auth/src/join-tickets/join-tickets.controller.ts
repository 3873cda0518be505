import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { CurrentIdentity, ServiceGuard, type Identity } from '@hoot/auth-kit';
import { NoStore } from '../http/no-store';
import { JoinTicketIssuer, type IssuedJoinTicket } from './join-ticket-issuer.service';
import { JoinTicketRequestDto } from './join-ticket-request.dto';
import { RegistryGuard } from './registry.guard';
import { SubjectStanding } from './subject-standing.service';

@Controller('internal/v1/join-tickets')
export class JoinTicketsController {
  constructor(
    private readonly tickets: JoinTicketIssuer,
    private readonly standing: SubjectStanding,
  ) {}

  /**
   * Registries only (a service token of an account named `reg-<cloud>-<priority>`): signs a short-lived
   * ticket that the CASH of `coremxId` accepts for one identity in one conference — never for a disabled or
   * unknown account, nor with a revoked `subjectToken` (403 `auth.subject-*`, see `SubjectStanding`).
   */
  @Post()
  @NoStore()
  @UseGuards(ServiceGuard, RegistryGuard)
  async issue(
    @CurrentIdentity() identity: Identity,
    @Body() body: JoinTicketRequestDto,
  ): Promise<IssuedJoinTicket> {
    await this.standing.assertMayJoin(body.subject, body.subjectToken);
    return this.tickets.issue(identity.username!, body);
  }
}
