import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentIdentity, type Identity } from '@hoot/auth-kit';
import { formatConferenceAddress, type ConferenceRecord } from '@hoot/domain';
import { CONFERENCE_SERVICE } from '../registry.tokens';
import { ConferenceProblemFilter } from './conference-problem';
import type { JoinAnswer } from '@hoot/contracts';
import type { Caller, ConferenceService } from './conference.service';
import {
  ConferenceIdParam,
  CreateConferenceDto,
  JoinDto,
  ListConferencesQuery,
  type ConferenceView,
} from './conference.dto';

interface RequestWithAuth {
  headers: Record<string, string | string[] | undefined>;
}

const callerOf = (identity: Identity, request: RequestWithAuth): Caller => ({
  identity: identity.subject,
  name: identity.name,
  accessToken: String(request.headers['authorization'] ?? '').replace(/^Bearer\s+/i, ''),
});

/**
 * Conferences (user tokens): create, read, list mine, end; and join by `hoot.mx://` address. The service's
 * refusals (`ConferenceError`) get their HTTP status here, at the edge (`ConferenceProblemFilter`).
 */
@ApiTags('conferences')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(AuthGuard)
@UseFilters(new ConferenceProblemFilter())
export class ConferencesController {
  constructor(@Inject(CONFERENCE_SERVICE) private readonly conferences: ConferenceService) {}

  /** 201 with the new conference; 200 with the existing one when the same owner asks again. */
  @Post('conferences')
  async create(
    @CurrentIdentity() identity: Identity,
    @Req() request: RequestWithAuth,
    @Body() body: CreateConferenceDto,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<ConferenceView> {
    const { record, created } = await this.conferences.create(callerOf(identity, request), body);
    reply.status(created ? 201 : 200);
    return {
      ...viewOf(record, identity.subject),
      usernames: await this.conferences.usernamesFor(record, identity.subject),
    };
  }

  @Get('conferences')
  async list(
    @CurrentIdentity() identity: Identity,
    @Query() query: ListConferencesQuery,
  ): Promise<{ items: ConferenceView[]; next: string | null }> {
    const page = await this.conferences.list(identity.subject, query.limit ?? 20, query.after);
    return { items: page.items.map((r) => viewOf(r, identity.subject)), next: page.next };
  }

  @Get('conferences/:id')
  async get(
    @CurrentIdentity() identity: Identity,
    @Param() { id }: ConferenceIdParam,
  ): Promise<ConferenceView> {
    const record = await this.conferences.get(identity.subject, id);
    return {
      ...viewOf(record, identity.subject),
      usernames: await this.conferences.usernamesFor(record, identity.subject),
    };
  }

  /** The owner ends it: its CASH ends the room for everyone (`room.ended` follows on the topic). */
  @Delete('conferences/:id')
  @HttpCode(204)
  async end(@CurrentIdentity() identity: Identity, @Param() { id }: ConferenceIdParam): Promise<void> {
    await this.conferences.end(identity.subject, id);
  }

  /** At any registry of any cloud: entitlement, then a join ticket for the CoreMX hosting it. */
  @Post('join')
  @HttpCode(200)
  join(
    @CurrentIdentity() identity: Identity,
    @Req() request: RequestWithAuth,
    @Body() body: JoinDto,
  ): Promise<JoinAnswer> {
    return this.conferences.join(callerOf(identity, request), body.address);
  }
}

function viewOf(r: ConferenceRecord, viewer: string): ConferenceView {
  return {
    id: r.conferenceId,
    address: formatConferenceAddress({ conferenceId: r.conferenceId, mixerAddress: r.mixerAddress }),
    type: r.type,
    owner: r.owner,
    public: r.public,
    ...(r.owner === viewer ? { allowed: r.allowed } : {}),
    maxParticipants: r.maxParticipants,
    status: r.status,
    participants: r.participants,
    coremxId: r.coremxId,
    previousAddresses: r.previousMixers.map((mixerAddress) =>
      formatConferenceAddress({ conferenceId: r.conferenceId, mixerAddress }),
    ),
    createdAt: r.createdAt,
    endedAt: r.endedAt,
  };
}
