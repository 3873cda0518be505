import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ServiceGuard, type IntrospectionResult } from '@hoot/auth-kit';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { IntrospectionService } from './introspection.service';
import { StandingGuard } from './standing.guard';

export class IntrospectRequestDto {
  /** Generous bound: an oversized token must be answered `active: false`, not refused as a request. */
  @IsString()
  @MinLength(1)
  @MaxLength(48 * 1024)
  token!: string;
}

@Controller('v1/introspect')
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  /** Services only (service token: internal audience, `service` role, not revoked, account enabled). */
  @Post()
  @HttpCode(200)
  @UseGuards(ServiceGuard, StandingGuard)
  introspect(@Body() body: IntrospectRequestDto): Promise<IntrospectionResult> {
    return this.introspection.introspect(body.token);
  }
}
