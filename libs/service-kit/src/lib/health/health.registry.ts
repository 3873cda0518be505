import { Injectable } from '@nestjs/common';

export interface DependencyCheck {
  /** Shown in the readiness answer (`mongo`, `kafka`, `jwks`). */
  name: string;
  /** Resolves when the dependency answers; throws (or rejects) when it does not. */
  check: () => Promise<unknown>;
  /** A check slower than this counts as down. */
  timeoutMs?: number;
}

export interface CheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface Readiness {
  ready: boolean;
  draining: boolean;
  checks: Record<string, CheckResult>;
}

/** Default time a dependency gets to answer a readiness probe (well under Kubernetes' 1 s probe default × failures). */
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/** The dependencies a service needs to serve; `/health/ready` asks each of them, concurrently, with a timeout. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, DependencyCheck>();
  private draining = false;

  register(check: DependencyCheck): void {
    this.checks.set(check.name, check);
  }

  /** After this the service reports not-ready (shutting down), so traffic drains away first. */
  startDraining(): void {
    this.draining = true;
  }

  async readiness(): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (c) => [c.name, await runCheck(c)] as const),
    );
    const checks = Object.fromEntries(entries);
    return {
      ready: !this.draining && entries.every(([, r]) => r.status === 'up'),
      draining: this.draining,
      checks,
    };
  }
}

async function runCheck(check: DependencyCheck): Promise<CheckResult> {
  const started = performance.now();
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check.check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      durationMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}
