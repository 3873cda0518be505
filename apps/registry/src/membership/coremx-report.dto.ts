import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** A CASH's register / heartbeat: the same call, with a version only that CASH advances. */
export class CoreMxReportDto {
  @ApiProperty({
    example: 'coremx-1.c1.hoot.mx',
    description: 'DNS-style mixer address used in hoot.mx:// addresses',
  })
  @Matches(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/)
  @MaxLength(253)
  address!: string;

  @ApiProperty({ example: 'wss://coremx-1.c1.hoot.mx/signal' })
  @Matches(/^wss?:\/\/[^\s]{1,240}$/)
  signalingUrl!: string;

  @ApiProperty({
    required: false,
    example: 'http://coremx-1.coremx.hoot.svc:3300',
    description:
      "its CASH's service API (registries reserve and end rooms there); default: from signalingUrl",
  })
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]{1,240}$/)
  apiUrl?: string;

  @ApiProperty({ enum: ['active', 'draining', 'overloaded'] })
  @IsIn(['active', 'draining', 'overloaded'])
  state!: 'active' | 'draining' | 'overloaded';

  @ApiProperty({ minimum: 0, maximum: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  load!: number;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  rooms!: number;

  @IsInt()
  @Min(0)
  @Max(10_000_000)
  participants!: number;

  @IsInt()
  @Min(0)
  @Max(1_000_000)
  capacity!: number;

  @ApiProperty({ description: 'changes on every CASH start' })
  @IsInt()
  @Min(0)
  incarnation!: number;

  @ApiProperty({ description: 'increases with every report of one incarnation' })
  @IsInt()
  @Min(0)
  seq!: number;
}

export class CoreMxDeregisterDto {
  @IsInt()
  @Min(0)
  incarnation!: number;

  @IsInt()
  @Min(0)
  seq!: number;
}

const COREMX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class CoreMxIdParam {
  @ApiProperty({ description: 'the CoreMX id', pattern: COREMX_ID.source })
  @IsString()
  @Matches(COREMX_ID)
  coremxId!: string;
}
