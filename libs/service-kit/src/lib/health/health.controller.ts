import { Controller, Get, OnApplicationShutdown, BeforeApplicationShutdown } from '@nestjs/common';
import { ServiceErrorCode } from '@hoot/domain';
import { HootException } from '../errors/hoot.exception';
import { HealthRegistry } from './health.registry';

@Controller('health')
export class HealthController implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process serves HTTP. No dependency is consulted, so a slow database never gets us restarted. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every registered dependency answered in time; 503 problem+json otherwise. */
  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: unknown }> {
    const readiness = await this.registry.readiness();
    if (!readiness.ready) {
      const down = Object.entries(readiness.checks)
        .filter(([, r]) => r.status === 'down')
        .map(([name]) => name);
      const detail = readiness.draining ? 'shutting down' : `not ready: ${down.join(', ')} down`;
      throw new HootException(ServiceErrorCode.NotReady, 503, detail, {
        checks: readiness.checks,
        draining: readiness.draining,
      });
    }
    return { status: 'ok', checks: readiness.checks };
  }

  beforeApplicationShutdown(): void {
    this.registry.startDraining();
  }

  onApplicationShutdown(): void {
    this.registry.startDraining();
  }
}
