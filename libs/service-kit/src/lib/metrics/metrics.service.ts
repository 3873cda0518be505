import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Seconds; spans a cached verification (sub-ms) to a slow scrypt or database call. */
const HTTP_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One prom-client registry per application (not the global one), so several apps can live in one test
 * process. Services add their own metrics with `registry`.
 */
const started = Symbol('hoot.metrics.started');
type Timed = { [started]?: number };

interface HookableServer {
  addHook(name: 'onRequest', hook: (request: Timed) => Promise<void>): unknown;
  addHook(
    name: 'onResponse',
    hook: (
      request: Timed & { method: string; routeOptions: { url?: string } },
      reply: { statusCode: number },
    ) => Promise<void>,
  ): unknown;
}

@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(private readonly adapterHost: HttpAdapterHost) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP requests served, by method, route pattern and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS_S,
      registers: [this.registry],
    });
  }

  /** Times every request on the Fastify instance (route pattern as label, so ids do not explode the series). */
  onModuleInit(): void {
    const server = this.adapterHost.httpAdapter?.getInstance?.() as HookableServer | undefined;
    if (!server?.addHook) return;
    server.addHook('onRequest', async (request) => {
      request[started] = performance.now();
    });
    server.addHook('onResponse', async (request, reply) => {
      const t0 = request[started];
      if (t0 === undefined) return;
      this.observeRequest(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        (performance.now() - t0) / 1000,
      );
    });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }
}
