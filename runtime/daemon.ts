/**
 * The daemon (`ecu-ai run`): opens the configured transports, loads and warms every domain's model
 * in its isolated worker, serves the domains in real time under the scheduler, exposes `/metrics`
 * and `/health`, and stops gracefully: a stop drains in-flight work, closes the workers and the
 * buses, and flushes the log.
 */
import type { Logger } from 'pino';
import { compileDatabase, loadDbcFile } from '../bus/dbc/index.js';
import type { CanFrame } from '../bus/frame.js';
import type { Bus } from '../bus/transport/index.js';
import { BusMonitor } from './observe/bus-monitor.js';
import { RealClock, type Clock } from './clock.js';
import { telemetryValues } from './cloud/telemetry-values.js'; // --- cloud
import type { EcuAiConfig } from './config.js';
import { Engine } from './engine/engine.js';
import { InferencePool, ModelRegistry } from './inference/index.js';
import { HealthModel, LogThrottle, MetricsRegistry, registerStandardMetrics, startObserveServer, type ObserveServer } from './observe/index.js';
import { openDomainModels } from './engine/domain-models.js';
import type { DomainDefinition } from './service/domain.js';
import { resolveDomains } from './service/resolved.js';
import type { CloudInference } from './service/runner.js';
import { BusInitError } from '../bus/errors.js';
import { startSomeipBridge, type SomeipBridge } from './someip/bridge.js';
import { observeSomeip } from './someip/observe.js';
import { someipCatalogSource, someipInputsFromConfig } from './someip/signal-source.js';
// --- cloud
import path from 'node:path';
import type { VehicleCloud } from './cloud/vehicle-cloud.js';
import { outboxSnippetSink, recorderFromConfig, storeSignals, type SnippetCapture, type SnippetRecorder } from './datalog/index.js';
import type { PlatformReading } from './platform/index.js';
// --- end cloud

export interface DaemonOptions {
  readonly config: Readonly<EcuAiConfig>;
  readonly domains: readonly DomainDefinition[];
  readonly dbcPath: string;
  readonly modelsDir: string;
  readonly logger: Logger;
  readonly workerEntry?: string;
  readonly cloud?: CloudInference;
  /** Overrides `config.http`; `false` serves no HTTP (tests of the engine alone). */
  readonly http?: { host: string; port: number } | false;
  /** Buses to use instead of opening `config.transports` (tests, embedding). */
  readonly buses?: readonly Bus[];
  readonly clock?: Clock;
  // --- cloud
  /** Folder the config's relative paths (cloud.outbox_dir, cloud.tls.*) start from; default the working directory. */
  readonly baseDir?: string;
  /** Where `cloud.password_env` is looked up; default none (the entry point passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives each data snippet instead of the outbox (tests, a folder); with it, snippets are taken even without the cloud. */
  readonly snippetSink?: (c: SnippetCapture) => void | Promise<void>;
  // --- end cloud
}

export interface Daemon {
  readonly engine: Engine;
  readonly pool: InferencePool;
  readonly http: ObserveServer | undefined;
  readonly metrics: MetricsRegistry;
  readonly health: HealthModel;
  /** The SOME/IP bridge, when enabled and started. */
  readonly someip: SomeipBridge | undefined;
  // --- cloud
  /** The vehicle–cloud link, outbox and reporter, when `cloud.enabled`. */
  readonly cloud: VehicleCloud | undefined;
  /** The data snippet recorder, when snippets are on. */
  readonly snippets: SnippetRecorder | undefined;
  // --- end cloud
  /** Stops everything; resolves when drained and closed. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (after `stop()`, or after a fatal error). */
  readonly done: Promise<void>;
}

/** How often a recurring output send failure is logged (s); the metric counts every one. */
const SEND_FAILURE_LOG_PERIOD_S = 10;

/**
 * Starts the daemon and resolves once it is ready (models warm, buses open, HTTP listening).
 * The HTTP endpoint binds first and the buses open before the models load, so a taken port or a
 * refusing bus fails the start before any worker is spawned.
 * @throws {Error} with code EADDRINUSE / EACCES when the HTTP address cannot be bound
 * @throws {AdmissionError}, {ModelLoadError}, {BusInitError} at start-up, after releasing what was opened
 * @throws {ConfigInvalidError} naming `cloud.password_env` or `cloud.tls.*` when the cloud's secrets cannot be read (cloud)
 */
export async function startDaemon(o: DaemonOptions): Promise<Daemon> {
  const log = o.logger;
  const clock = o.clock ?? new RealClock();
  const cfg = o.config;
  const metrics = new MetricsRegistry();
  const std = registerStandardMetrics(metrics);
  const health = new HealthModel();
  const busMonitor = new BusMonitor(clock, log.child({ component: 'bus' }), std);
  health.setBusSource((now) => busMonitor.buses(now));
  const enabled = resolveDomains(o.domains, cfg);
  for (const d of enabled) health.setDomain(d.domain, { state: 'starting', critical: d.criticality === 'safety' });
  // Set once they exist; until then /health says the domains are starting and /metrics has no counts.
  let live: { readonly engine: Engine; readonly pool: InferencePool } | undefined;
  const httpCfg = o.http === undefined ? cfg.http : o.http;
  const http: ObserveServer | undefined =
    httpCfg === false
      ? undefined
      : await startObserveServer({
          host: httpCfg.host,
          port: httpCfg.port,
          logger: log.child({ component: 'http' }),
          metrics: () => {
            if (live) {
              // All three are cumulative at their source; the counters catch up to them.
              for (const h of live.pool.health()) catchUp(std.workerRestarts.labels({ domain: h.domain }), h.restarts);
              for (const s of live.engine.services) catchUp(std.deadlineMisses.labels({ domain: s.domain }), live.engine.dispatcher.stats(s.domain).missed);
              for (const s of live.engine.services) catchUp(std.invalidInputs.labels({ domain: s.domain }), live.engine.dispatcher.stats(s.domain).invalidInputs);
            }
            busMonitor.refreshMetrics(clock.now());
            return metrics.render();
          },
          health: () => {
            if (live) {
              for (const s of live.engine.services) health.recordMisses(s.domain, live.engine.dispatcher.stats(s.domain).missed, clock.now());
              for (const h of live.pool.health()) {
                health.setDomain(h.domain, { worker: { isolation: h.isolation, ...(h.pid === undefined ? {} : { pid: h.pid }), restarts: h.restarts } });
                if (h.state === 'restarting' || h.state === 'failed') health.setDomain(h.domain, { state: h.state === 'failed' ? 'failed' : 'restarting', ...(h.lastError ? { lastError: { message: h.lastError.message, code: h.lastError.code, t: clock.now() } } : {}) });
              }
            }
            return health.report(clock.now());
          },
        });
  const buses: Bus[] = [];
  const ownBuses = o.buses === undefined;
  let pool: InferencePool | undefined;
  let someip: SomeipBridge | undefined; // SOME/IP bridge: set once the engine exists
  // --- cloud: set before the engine (it takes the cloud) and the recorder once the engine exists
  let vc: VehicleCloud | undefined;
  let snippets: SnippetRecorder | undefined;
  let lastPlatform: PlatformReading | undefined;
  let framesIn = 0;
  const cloudCtl = new AbortController(); // ends the telemetry loop on stop and on a failed start
  // --- end cloud
  const stopCtl = new AbortController(); // ends the bus readers and the dispatcher
  try {
    const { database, warnings } = await loadDbcFile(o.dbcPath);
    if (warnings.length > 0) log.warn({ dbc: o.dbcPath, warnings: warnings.length }, 'DBC loaded with warnings');
    const codecs = compileDatabase(database);
    // --- cloud: secrets (env variable, PEM files) are checked before any model is loaded, so a bad config fails fast.
    const cloudMod = cfg.cloud.enabled ? await import('./cloud/vehicle-cloud.js') : undefined;
    const cloudAccess = cloudMod ? await cloudMod.resolveCloudAccess(cfg.cloud, o.baseDir ?? process.cwd(), o.env ?? {}) : undefined;
    // --- end cloud
    // Buses before models: a bus required at start that refuses fails the start before any worker
    // is spawned; a socketcand server that is not up yet is waited for (and logged) meanwhile.
    if (o.buses) buses.push(...o.buses.map((b) => busMonitor.track(b)));
    else for (const spec of cfg.transports) buses.push(await busMonitor.open(spec));
    const busLog = busMonitor.run(stopCtl.signal);
    const registry = await ModelRegistry.create({ roots: [o.modelsDir] });
    const workers = await InferencePool.create({
      registry,
      logger: log.child({ component: 'inference' }),
      clock,
      spinUs: cfg.inference.spin_us,
      ...(o.workerEntry ? { workerEntry: o.workerEntry } : {}),
    });
    pool = workers;
    const windowWidths = new Map<string, number>(enabled.map((d) => [d.domain, d.definition.window.signals.length]));
    // A bus that refuses frames refuses them at the output rate: count each, log a few.
    const sendLog = new LogThrottle(SEND_FAILURE_LOG_PERIOD_S);
    const onSendFailure = (out: Bus, err: unknown): void => {
      const bus = out.name;
      std.outputSendFailures.labels({ bus }).inc();
      if (busMonitor.refused(out, err)) return; // the link's own log lines tell it
      const d = sendLog.hit(clock.now());
      if (d.log) log.warn({ bus, err: (err as Error).message, failures: std.outputSendFailures.labels({ bus }).value, suppressed: d.suppressed }, 'output send failed');
    };
    const models = await openDomainModels(workers, registry, enabled, {
      onReady: (domain, m) => log.info({ domain, model: `${m.name}@${m.version}` }, 'model ready'),
    });
    // --- cloud: never waits for the broker; the outbox buffers until it answers.
    if (cloudMod) {
      const unanswered = metrics.counter('ecu_ai_cloud_unanswered_total', 'Cloud requests with no answer within their deadline (the service fell back to local).', ['domain']);
      vc = await cloudMod.VehicleCloud.open({
        onUnanswered: (domain) => unanswered.labels({ domain }).inc(),
        config: cfg.cloud,
        vehicleId: cfg.vehicle_id,
        domains: enabled,
        outboxDir: path.resolve(o.baseDir ?? process.cwd(), cfg.cloud.outbox_dir),
        ...(cloudAccess ? { access: cloudAccess } : {}),
        clock,
        logger: log.child({ component: 'cloud' }),
      });
    }
    // --- end cloud
    const out = buses[0];
    const engine = new Engine({
      config: cfg,
      domains: enabled,
      models,
      codecs,
      // Domain signals may come from the DBC or from configured SOME/IP input events.
      dbcMessages: [...database.messages, ...(cfg.someip.enabled ? someipCatalogSource(someipInputsFromConfig(cfg.someip)).messages : [])],
      clock,
      timing: 'real',
      local: workers,
      ...(o.cloud ? { cloud: o.cloud } : vc ? { cloud: vc.runner } : {}), // --- cloud
      logger: log,
      ...(out ? { send: (f: CanFrame) => void out.send(f).catch((err: unknown) => onSendFailure(out, err)) } : {}),
      onResult: (r) => {
        someip?.publish(r);
        snippets?.onResult(r); // --- cloud
        const width = windowWidths.get(r.domain) ?? 0;
        const invalid = r.invalidSignals ?? [];
        health.setDomain(r.domain, {
          state: r.variant === 'fallback' ? 'fallback' : 'running',
          variant: r.variant,
          lastHeartbeat: clock.now(),
          signalsTotal: width,
          signalsValid: width - invalid.length,
          invalidSignals: invalid,
        });
        health.recordMisses(r.domain, live?.engine.dispatcher.stats(r.domain).missed ?? 0, clock.now());
        std.signalsValid.labels({ domain: r.domain }).set(width - invalid.length);
        for (const v of ['fp32', 'int8', 'cloud', 'fallback'] as const) std.variantInUse.labels({ domain: r.domain, variant: v }).set(v === r.variant ? 1 : 0);
      },
      onServed: (domain, variant, wallMs) => std.inferenceLatency.labels({ domain, variant }).observe(wallMs / 1000),
      onEvent: (e) => {
        log.info({ event: e }, `${e.kind} ${e.domain} to ${e.to}: ${e.why}`);
        snippets?.onEvent(e); // --- cloud
      },
      onPlatform: (p) => {
        lastPlatform = p; // --- cloud
        std.socTemperature.labels({ zone: p.sources.socC === 'sysfs' ? 'soc' : 'model' }).set(p.socC);
        std.powerWatts.set(p.powerW);
      },
    });
    for (const d of enabled) health.setDomain(d.domain, { state: 'running', watchdogS: Math.max(2, (5 * 1000) / d.rateHz / 1000) });
    health.addCheck('buses', (now) => busMonitor.component(now));
    // --- SOME/IP (runtime/someip): results out as events, SOME/IP inputs into the signal store.
    // A port in use costs the SOME/IP output only, never the vehicle functions: logged, not fatal.
    if (cfg.someip.enabled) {
      try {
        someip = await startSomeipBridge({ config: cfg, domains: enabled, logger: log, clock, sink: engine.store });
        observeSomeip(someip, metrics, health);
      } catch (err) {
        if (!(err instanceof BusInitError)) throw err;
        log.error({ err: err.message }, 'SOME/IP not available');
      }
    }
    // --- end SOME/IP
    // --- cloud: snippets into the outbox (or the given sink), times on the engine's clock mapped to Unix ms.
    const snippetSink = o.snippetSink ?? (vc ? outboxSnippetSink(vc.reporter) : undefined);
    if (snippetSink && cfg.cloud.snippets.enabled) {
      const unixBase = Date.now() - clock.now() * 1000;
      const slog = log.child({ component: 'datalog' });
      snippets = recorderFromConfig(cfg.cloud.snippets, enabled, {
        sink: async (c) => {
          await snippetSink(c);
          slog.info({ trigger: c.trigger, domain: c.domain, frames: c.frames.length, priority: c.priority }, 'data snippet taken');
        },
        toUnixMs: (t) => unixBase + t * 1000,
        signals: storeSignals(engine.store),
        onSinkError: (err, c) => slog.warn({ trigger: c.trigger, domain: c.domain, err: (err as Error).message }, 'data snippet not kept'),
      });
    }
    if (vc) {
      const cloudRef = vc;
      health.addCheck('cloud', () => cloudRef.health());
    }
    const started = clock.now();
    const sendTelemetry = async (): Promise<void> => {
      if (!vc) return;
      const values = telemetryValues({
        uptimeS: clock.now() - started,
        domains: engine.dispatcher.summary(),
        ...(lastPlatform ? { platform: lastPlatform } : {}),
        framesReceived: framesIn,
        link: { connected: vc.connected, ...vc.link.stats },
        cloud: { ...vc.facade.stats },
        outbox: { records: vc.outbox.size, bytes: vc.outbox.bytes, appended: vc.outbox.stats.appended, dropped: vc.outbox.stats.dropped, refused: vc.outbox.stats.refused },
        ...(snippets ? { snippets: { ...snippets.stats } } : {}),
      });
      await vc.reporter.telemetry({ tUnixMs: Date.now(), values, source: 'daemon' }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'telemetry not kept'));
    };
    // --- end cloud

    const readers = buses.map(async (bus) => {
      const track = busMonitor.trackOf(bus);
      for await (const frame of bus.frames(stopCtl.signal)) {
        track.lastFrameAt = clock.now();
        std.framesReceived.labels({ channel: frame.channel }).inc();
        engine.ingestLive(frame);
        // --- cloud
        framesIn++;
        snippets?.onFrame(frame, clock.now());
        // --- end cloud
      }
    });
    const dispatching = engine.dispatcher.run(stopCtl.signal);
    // --- cloud: one loop ends snippet windows on a quiet bus and sends telemetry every period.
    const cloudLoop = (async () => {
      if (!vc && !snippets) return;
      const period = cfg.cloud.telemetry_period_s;
      let nextTelemetry = started + period;
      for (;;) {
        const now = clock.now();
        await clock.sleepUntil(Math.min(nextTelemetry, now + 0.5), cloudCtl.signal);
        snippets?.advance(clock.now());
        if (clock.now() >= nextTelemetry) {
          nextTelemetry += period * Math.max(1, Math.ceil((clock.now() - nextTelemetry) / period));
          await sendTelemetry();
        }
      }
    })().catch(() => undefined);
    // --- end cloud
    live = { engine, pool: workers };
    log.info({ domains: enabled.map((d) => d.domain), buses: buses.map((b) => b.name), http: http?.url }, 'ecu-ai ready');

    let stopping: Promise<void> | undefined;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log.info('stopping: draining in-flight work');
        stopCtl.abort();
        await dispatching.catch((err: unknown) => log.error({ err: (err as Error).message }, 'dispatcher failed'));
        engine.stop();
        await someip?.close();
        await http?.close();
        if (ownBuses) await Promise.all(buses.map((b) => b.close()));
        await Promise.allSettled(readers);
        await busLog;
        // --- cloud: open snippets and a last telemetry record into the outbox, then a short drain.
        cloudCtl.abort();
        await cloudLoop;
        await snippets?.finish();
        await sendTelemetry();
        await vc?.close();
        // --- end cloud
        await workers.close();
        for (const d of enabled) health.setDomain(d.domain, { state: 'stopped' });
        log.info('stopped');
        log.flush();
        resolveDone();
      })();
      return stopping;
    };
    return { engine, pool: workers, http, metrics, health, someip, cloud: vc, snippets, stop, done }; // --- cloud: cloud, snippets
  } catch (err) {
    stopCtl.abort();
    // --- cloud
    cloudCtl.abort();
    await vc?.close(0);
    // --- end cloud
    await someip?.close();
    await http?.close();
    if (ownBuses) await Promise.allSettled(buses.map((b) => b.close()));
    await pool?.close();
    throw err;
  }
}

function catchUp(counter: { value: number; inc(by: number): void }, total: number): void {
  if (total > counter.value) counter.inc(total - counter.value);
}
