/**
 * Prometheus metrics of one server (GET /metrics), in a registry of its own so that several
 * servers (tests, cluster workers) never share counters. Judge usage and plugin metrics are read
 * when Prometheus scrapes, not on the request path.
 */
import type { Judge } from '@medrl/sdk';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetricsOptions {
  judges?: readonly Pick<Judge, 'name' | 'stats'>[];
  /** Counters and gauges plugins report through their context (`run.metrics.snapshot()`). */
  pluginMetrics?: () => Record<string, number>;
  /** Process metrics (RSS, heap, event-loop lag, ...). */
  processMetrics?: boolean;
}

/** Latency buckets in seconds: sub-millisecond rules-only batches up to judge-bound minutes. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'method' | 'status'>;
  readonly latency: Histogram<'route'>;
  readonly items: Counter<'route'>;
  readonly dropped: Counter<'route'>;
  readonly rejected: Counter<'reason'>;
  readonly inFlight: Gauge;

  constructor(options: ServeMetricsOptions = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'medrl_serve_requests_total',
      help: 'HTTP requests answered, by route, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'medrl_serve_request_duration_seconds',
      help: 'Time from request start to response end, by route',
      labelNames: ['route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.items = new Counter({
      name: 'medrl_serve_items_total',
      help: 'Samples scored, by route',
      labelNames: ['route'],
      registers,
    });
    this.dropped = new Counter({
      name: 'medrl_serve_dropped_items_total',
      help: 'Samples the composer dropped (total null), by route',
      labelNames: ['route'],
      registers,
    });
    this.rejected = new Counter({
      name: 'medrl_serve_rejected_total',
      help: 'Requests refused before or during scoring: saturated (429), timeout (503), unauthorized (401)',
      labelNames: ['reason'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'medrl_serve_in_flight_requests',
      help: 'Reward requests being scored now',
      registers,
    });

    const judges = options.judges ?? [];
    new Gauge({
      name: 'medrl_judge_usage',
      help: "Each judge's own usage counters from stats(): tokens, cost, cache hits, failures",
      labelNames: ['judge', 'stat'],
      registers,
      collect() {
        this.reset();
        for (const judge of judges) {
          for (const [stat, value] of Object.entries(judge.stats?.() ?? {})) {
            if (Number.isFinite(value)) this.set({ judge: judge.name, stat }, value);
          }
        }
      },
    });
    const pluginMetrics = options.pluginMetrics;
    if (pluginMetrics) {
      new Gauge({
        name: 'medrl_plugin_metric',
        help: 'Counters and gauges plugins report through their context, by name',
        labelNames: ['name'],
        registers,
        collect() {
          this.reset();
          for (const [name, value] of Object.entries(pluginMetrics())) {
            if (Number.isFinite(value)) this.set({ name }, value);
          }
        },
      });
    }
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The text exposition format Prometheus scrapes. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
