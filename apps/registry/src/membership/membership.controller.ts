import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentIdentity, ServiceGuard, type Identity } from '@hoot/auth-kit';
import { HootException } from '@hoot/service-kit';
import { COREMX_BINDING, REGISTRY_NODE } from '../registry.tokens';
import type { CoreMxView, RegistryNode } from '../gcas/registry-node';
import { httpStatusOf } from '@hoot/contracts';
import { MembershipErrorCode, type CoreMxBinding } from './coremx-binding';
import { CoreMxDeregisterDto, CoreMxIdParam, CoreMxReportDto } from './coremx-report.dto';

/**
 * CoreMX membership for CASH (service credentials): register / heartbeat, deregister — each CASH for its own
 * CoreMX only (`CoreMxBinding`); and the list for operators' tools (`hoot coremx drain` finds a CASH's
 * service API here with the operator's service token).
 */
@ApiTags('internal: CoreMX membership')
@ApiBearerAuth()
@Controller('internal/v1/coremx')
@UseGuards(ServiceGuard)
export class MembershipController {
  constructor(
    @Inject(REGISTRY_NODE) private readonly node: RegistryNode,
    @Inject(COREMX_BINDING) private readonly binding: CoreMxBinding,
  ) {}

  /** The same answer as `GET /v1/coremx`, for service credentials (no user sign-in needed). */
  @Get()
  list(): { registryId: string; coremx: CoreMxView[] } {
    return { registryId: this.node.id, coremx: this.node.coremx() };
  }

  @Put(':coremxId')
  @HttpCode(200)
  async report(
    @CurrentIdentity() identity: Identity,
    @Param() { coremxId }: CoreMxIdParam,
    @Body() body: CoreMxReportDto,
  ): Promise<{ accepted: boolean; registryId: string }> {
    this.binding.assertMayAdvertise(identity, coremxId);
    const { incarnation, seq, ...rest } = body;
    const accepted = await this.node.reportCoreMx({ coremxId, ...rest }, { incarnation, seq });
    return { accepted, registryId: this.node.id };
  }

  @Post(':coremxId/deregister')
  @HttpCode(200)
  async deregister(
    @CurrentIdentity() identity: Identity,
    @Param() { coremxId }: CoreMxIdParam,
    @Body() { incarnation, seq }: CoreMxDeregisterDto,
  ): Promise<{ accepted: boolean; registryId: string }> {
    this.binding.assertMayAdvertise(identity, coremxId);
    const current = this.node.coremx().find((c) => c.coremxId === coremxId);
    if (!current)
      throw new HootException(
        MembershipErrorCode.NotFound,
        httpStatusOf(MembershipErrorCode.NotFound),
        `CoreMX ${coremxId} is not registered`,
      );
    const { registryId: _r, cloud: _c, version: _v, silentForMs: _s, liveness: _l, ...entry } = current;
    const accepted = await this.node.reportCoreMx({ ...entry, state: 'down' }, { incarnation, seq });
    return { accepted, registryId: this.node.id };
  }
}
