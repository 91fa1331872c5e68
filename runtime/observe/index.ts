/** Observability: JSON logs (pino), Prometheus metrics, health as data, and the HTTP endpoint serving them. */
export { createLogger, componentLogger, silentLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.js';
export {
  MetricsRegistry,
  Counter,
  CounterChild,
  Gauge,
  GaugeChild,
  Histogram,
  HistogramChild,
  LATENCY_BUCKETS_S,
  PROMETHEUS_CONTENT_TYPE,
  escapeLabelValue,
  formatValue,
  type AnyMetric,
  type Labels,
  type MetricKind,
} from './metrics.js';
export { registerStandardMetrics, type StandardMetrics } from './standard-metrics.js';
export {
  HealthModel,
  type BusHealth,
  type ComponentHealth,
  type DomainHealth,
  type DomainState,
  type DomainStatus,
  type HealthError,
  type HealthOptions,
  type HealthReport,
} from './health.js';
export { RecentCount } from './recent-count.js';
export { LogThrottle, type ThrottleDecision } from './log-throttle.js';
export { startObserveServer, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, type ObserveServer, type ObserveServerOptions } from './http.js';
