/**
 * The metrics every ecu-ai daemon exposes, declared once so names, help and labels agree across
 * the components that update them.
 */
import { LATENCY_BUCKETS_S, type Counter, type Gauge, type Histogram, type MetricsRegistry } from './metrics.js';

export interface StandardMetrics {
  /** Labels: domain, variant (fp32 | int8 | cloud | fallback). */
  readonly inferenceLatency: Histogram;
  /** Labels: domain. */
  readonly deadlineMisses: Counter;
  /** Labels: channel. */
  readonly framesReceived: Counter;
  /** Labels: message. */
  readonly decodeErrors: Counter;
  /** Labels: zone (thermal zone or `model`). */
  readonly socTemperature: Gauge;
  readonly powerWatts: Gauge;
  /** Labels: domain. */
  readonly workerRestarts: Counter;
  /** 1 for the variant a domain uses now, 0 for the others. Labels: domain, variant. */
  readonly variantInUse: Gauge;
  /** Labels: domain. Valid vehicle signals of the domain's inputs. */
  readonly signalsValid: Gauge;
  /** Labels: domain. Cycles answered without the model because an input was stale or missing. */
  readonly invalidInputs: Counter;
  /** Labels: bus. Output frames the bus refused to send. */
  readonly outputSendFailures: Counter;
  /** 1 for the state a bus's link is in now (up | connecting | down | closed), 0 for the others. Labels: bus, state. */
  readonly busLinkState: Gauge;
  /** Labels: bus. Times the link came back after being lost. */
  readonly busReconnects: Counter;
  /** Labels: bus. Seconds since the last frame arrived; absent before the first. */
  readonly busLastFrameAge: Gauge;
}

/**
 * Registers the standard metrics (idempotent on the same registry).
 * @throws {RangeError} when the registry already holds one of these names with another kind or labels.
 */
export function registerStandardMetrics(registry: MetricsRegistry): StandardMetrics {
  return {
    inferenceLatency: registry.histogram('ecu_ai_inference_latency_seconds', 'Inference latency per call, in seconds.', LATENCY_BUCKETS_S, ['domain', 'variant']),
    deadlineMisses: registry.counter('ecu_ai_deadline_misses_total', 'Inferences that finished after their deadline.', ['domain']),
    framesReceived: registry.counter('ecu_ai_frames_received_total', 'CAN frames received.', ['channel']),
    decodeErrors: registry.counter('ecu_ai_decode_errors_total', 'Frames whose DBC decode failed.', ['message']),
    socTemperature: registry.gauge('ecu_ai_soc_temperature_celsius', 'SoC temperature in degrees Celsius.', ['zone']),
    powerWatts: registry.gauge('ecu_ai_power_watts', 'Estimated or measured board power in watts.'),
    workerRestarts: registry.counter('ecu_ai_worker_restarts_total', 'Inference worker restarts by the supervisor.', ['domain']),
    variantInUse: registry.gauge('ecu_ai_variant_in_use', 'Model variant in use per domain (1 in use, 0 not).', ['domain', 'variant']),
    signalsValid: registry.gauge('ecu_ai_signals_valid', 'Valid input signals per domain.', ['domain']),
    invalidInputs: registry.counter('ecu_ai_invalid_input_cycles_total', 'Cycles answered without the model because an input signal was stale or missing.', ['domain']),
    outputSendFailures: registry.counter('ecu_ai_output_send_failures_total', 'Output frames that could not be sent.', ['bus']),
    busLinkState: registry.gauge('ecu_ai_bus_link_state', 'State of each bus link (1 for the current state, 0 for the others).', ['bus', 'state']),
    busReconnects: registry.counter('ecu_ai_bus_reconnects_total', 'Times a lost bus link was re-established.', ['bus']),
    busLastFrameAge: registry.gauge('ecu_ai_bus_last_frame_age_seconds', 'Seconds since the last frame arrived on the bus.', ['bus']),
  };
}
