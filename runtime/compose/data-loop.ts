/**
 * Data snippets and telemetry: the snippet recorder (into the outbox or a given sink) and the one
 * loop that ends snippet windows on a quiet bus and sends telemetry every period. On close, open
 * snippets are finished and one last telemetry record goes into the outbox.
 */
import type { Logger } from 'pino';
import type { CanFrame } from '../../bus/frame.js';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import type { VehicleCloud } from '../cloud/facade/vehicle-cloud.js';
import { telemetryValues } from '../cloud/facade/telemetry-values.js';
import { outboxSnippetSink, recorderFromConfig, storeSignals, type SnippetCapture, type SnippetRecorder } from '../datalog/index.js';
import type { Engine } from '../engine/engine.js';
import type { ResolvedDomain } from '../service/resolved.js';
import type { PlatformReading } from '../platform/index.js';
import type { Component } from './lifecycle.js';

export interface DataLoopOptions {
  readonly config: Readonly<EcuAiConfig>;
  readonly engine: Engine;
  /** The resolved domains served: their triggers and criticalities. */
  readonly domains: readonly ResolvedDomain[];
  readonly cloud: VehicleCloud | undefined;
  /** Receives each snippet instead of the outbox; with it, snippets are taken even without the cloud. */
  readonly snippetSink?: (c: SnippetCapture) => void | Promise<void>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What the telemetry reports beyond the engine: frames received so far, the last platform reading. */
  readonly counters: () => { readonly framesIn: number; readonly platform: PlatformReading | undefined };
}

/** What the frame and result paths feed; absent parts are no-ops. */
export interface DataLoop {
  readonly snippets: SnippetRecorder | undefined;
  onFrame(frame: CanFrame, t: number): void;
}

export function dataLoop(o: DataLoopOptions): Component<DataLoop> {
  const ctl = new AbortController();
  let loop: Promise<void> | undefined;
  let snippets: SnippetRecorder | undefined;
  const clock = o.clock;
  const log = o.logger;
  const vc = o.cloud;
  let started = 0;
  const sendTelemetry = async (): Promise<void> => {
    if (!vc) return;
    const c = o.counters();
    const values = telemetryValues({
      uptimeS: clock.now() - started,
      domains: o.engine.dispatcher.summary(),
      ...(c.platform ? { platform: c.platform } : {}),
      framesReceived: c.framesIn,
      link: { connected: vc.connected, ...vc.link.stats },
      cloud: { ...vc.facade.stats },
      outbox: { records: vc.outbox.size, bytes: vc.outbox.bytes, appended: vc.outbox.stats.appended, dropped: vc.outbox.stats.dropped, refused: vc.outbox.stats.refused },
      ...(snippets ? { snippets: { ...snippets.stats } } : {}),
    });
    await vc.reporter.telemetry({ tUnixMs: Date.now(), values, source: 'daemon' }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'telemetry not kept'));
  };
  return {
    name: 'datalog',
    async start() {
      // Snippet times are on the engine's clock, mapped to Unix ms.
      const sink = o.snippetSink ?? (vc ? outboxSnippetSink(vc.reporter) : undefined);
      if (sink && o.config.cloud.snippets.enabled) {
        const unixBase = Date.now() - clock.now() * 1000;
        const slog = log.child({ component: 'datalog' });
        snippets = recorderFromConfig(o.config.cloud.snippets, o.domains, {
          sink: async (c) => {
            await sink(c);
            slog.info({ trigger: c.trigger, domain: c.domain, frames: c.frames.length, priority: c.priority }, 'data snippet taken');
          },
          toUnixMs: (t) => unixBase + t * 1000,
          signals: storeSignals(o.engine.store),
          onSinkError: (err, c) => slog.warn({ trigger: c.trigger, domain: c.domain, err: (err as Error).message }, 'data snippet not kept'),
        });
      }
      started = clock.now();
      if (vc || snippets) {
        const period = o.config.cloud.telemetry_period_s;
        loop = (async () => {
          let nextTelemetry = started + period;
          for (;;) {
            const now = clock.now();
            await clock.sleepUntil(Math.min(nextTelemetry, now + 0.5), ctl.signal);
            snippets?.advance(clock.now());
            if (clock.now() >= nextTelemetry) {
              nextTelemetry += period * Math.max(1, Math.ceil((clock.now() - nextTelemetry) / period));
              await sendTelemetry();
            }
          }
        })().catch(() => undefined);
      }
      const recorder = snippets;
      return { snippets: recorder, onFrame: (frame, t) => recorder?.onFrame(frame, t) };
    },
    async close() {
      ctl.abort();
      await loop;
      await snippets?.finish();
      await sendTelemetry();
    },
  };
}
