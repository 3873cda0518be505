import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentIdentity, type Identity } from '@hoot/auth-kit';
import {
  DeadLetterIdParam,
  DeadLetterPageDto,
  DeadLettersQueryDto,
  PutWebhookDto,
  WebhookViewDto,
  WebhookWithSecretDto,
} from './webhook.dto';
import type { DeadLetterPage, WebhookService, WebhookView, WebhookWithSecret } from './webhook.service';
import { WEBHOOK_SERVICE } from './webhooks.tokens';

/**
 * The caller's webhook (one per account): conference events of the conferences it created are POSTed
 * there, signed, in order per conference; deliveries that ran out of attempts are listed as dead letters.
 * Every route acts on the caller's own account only.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhook')
@UseGuards(AuthGuard)
export class WebhookController {
  constructor(@Inject(WEBHOOK_SERVICE) private readonly webhooks: WebhookService) {}

  @Put()
  @HttpCode(200)
  @ApiOperation({ summary: 'register or change the webhook; answers its secret' })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiResponse({ status: 400, description: 'request.invalid, webhook.url-invalid, webhook.url-not-allowed' })
  put(@CurrentIdentity() identity: Identity, @Body() body: PutWebhookDto): Promise<WebhookWithSecret> {
    return this.webhooks.put(identity.subject, body.url);
  }

  @Get()
  @ApiOperation({ summary: 'the webhook (without its secret)' })
  @ApiOkResponse({ type: WebhookViewDto })
  @ApiResponse({ status: 404, description: 'webhook.not-found' })
  get(@CurrentIdentity() identity: Identity): Promise<WebhookView> {
    return this.webhooks.get(identity.subject);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'remove the webhook, its pending deliveries and its dead letters' })
  @ApiResponse({ status: 204, description: 'removed' })
  @ApiResponse({ status: 404, description: 'webhook.not-found' })
  async remove(@CurrentIdentity() identity: Identity): Promise<void> {
    await this.webhooks.remove(identity.subject);
  }

  @Post('rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'a new secret (the old one stops signing at once)' })
  @ApiOkResponse({ type: WebhookWithSecretDto })
  @ApiResponse({ status: 404, description: 'webhook.not-found' })
  rotate(@CurrentIdentity() identity: Identity): Promise<WebhookWithSecret> {
    return this.webhooks.rotateSecret(identity.subject);
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'deliveries that ran out of attempts, oldest first' })
  @ApiOkResponse({ type: DeadLetterPageDto })
  @ApiResponse({ status: 404, description: 'webhook.not-found' })
  deadLetters(
    @CurrentIdentity() identity: Identity,
    @Query() query: DeadLettersQueryDto,
  ): Promise<DeadLetterPage> {
    return this.webhooks.deadLetters(identity.subject, query.limit ?? 20, query.after);
  }

  @Post('dead-letters/:id/redeliver')
  @HttpCode(202)
  @ApiOperation({
    summary: 'queue a dead letter again (first in its conference queue, a fresh attempt budget)',
  })
  @ApiResponse({ status: 202, description: 'queued' })
  @ApiResponse({ status: 404, description: 'webhook.not-found, webhook.dead-letter-not-found' })
  async redeliver(
    @CurrentIdentity() identity: Identity,
    @Param() { id }: DeadLetterIdParam,
  ): Promise<{ id: string; state: 'pending' }> {
    await this.webhooks.redeliver(identity.subject, id);
    return { id, state: 'pending' };
  }
}
