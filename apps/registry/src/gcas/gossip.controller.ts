import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentIdentity, ServiceGuard, type Identity } from '@hoot/auth-kit';
import { REGISTRY_ID, type GossipMessage } from '@hoot/gossip';
import { GossipErrorCode, httpStatusOf } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';
import { REGISTRY_NODE } from '../registry.tokens';
import type { RegistryNode } from './registry-node';

/**
 * The peer exchange endpoint (internal: service credentials only). A registry's service account is
 * named after its registry id, so a message must come `from` the registry whose token sent it.
 */
@ApiExcludeController()
@Controller('internal/v1/gossip')
@UseGuards(ServiceGuard)
export class GossipController {
  constructor(@Inject(REGISTRY_NODE) private readonly node: RegistryNode) {}

  @Post()
  @HttpCode(200)
  exchange(@Body() body: unknown, @CurrentIdentity() caller: Identity): { messages: GossipMessage[] } {
    const name = caller.username ?? caller.name;
    if (!REGISTRY_ID.test(name))
      throw new HootException(
        GossipErrorCode.NotARegistry,
        httpStatusOf(GossipErrorCode.NotARegistry),
        `service account ${name} is not a registry node`,
      );
    const before = this.node.counters.rejectedMessages;
    const messages = this.node.receive(body, name);
    if (this.node.counters.rejectedMessages > before)
      throw new HootException(
        GossipErrorCode.MessageInvalid,
        httpStatusOf(GossipErrorCode.MessageInvalid),
        'the gossip message was rejected (see the registry log)',
      );
    return { messages };
  }
}
