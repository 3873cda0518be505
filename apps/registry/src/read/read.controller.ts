import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, Matches, Max, Min } from 'class-validator';
import { AuthGuard } from '@hoot/auth-kit';
import { ServiceErrorCode, httpStatusOf } from '@hoot/contracts';
import type { Gcas } from '@hoot/gossip';
import { HootException } from '@hoot/service-kit';
import { REGISTRY_NODE } from '../registry.tokens';
import type { CoreMxView, RegistryNode, RegistryView } from '../gcas/registry-node';
import { roulette, type RouletteEntry } from './roulette';

export class RouletteQueryDto {
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,32}$/)
  region?: string;

  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number;

  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lon?: number;
}

/** Read APIs: the GCAS, the registries with liveness and primaries, the CoreMX list, and iroulette. */
@ApiTags('registry')
@Controller('v1')
export class ReadController {
  constructor(@Inject(REGISTRY_NODE) private readonly node: RegistryNode) {}

  @Get('gcas')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  gcas(): { registryId: string; gcas: Gcas } {
    return { registryId: this.node.id, gcas: this.node.gcas() };
  }

  @Get('registries')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  registries(): { registryId: string; registries: RegistryView[]; primaries: Record<string, string> } {
    const registries = this.node.registries();
    const primaries: Record<string, string> = {};
    for (const r of registries) if (r.primary) primaries[r.cloud] = r.registryId;
    return { registryId: this.node.id, registries, primaries };
  }

  @Get('coremx')
  @ApiBearerAuth()
  @UseGuards(AuthGuard)
  coremx(): { registryId: string; coremx: CoreMxView[] } {
    return { registryId: this.node.id, coremx: this.node.coremx() };
  }

  /** Public: clients call it before they sign in, to find the registry to talk to. */
  @Get('roulette')
  roulette(@Query() query: RouletteQueryDto): { registries: RouletteEntry[] } {
    if ((query.lat === undefined) !== (query.lon === undefined))
      throw new HootException(
        ServiceErrorCode.RequestInvalid,
        httpStatusOf(ServiceErrorCode.RequestInvalid),
        'give both lat and lon, or neither',
      );
    return {
      registries: roulette(this.node.registries(), {
        region: query.region,
        latitude: query.lat,
        longitude: query.lon,
      }),
    };
  }
}
