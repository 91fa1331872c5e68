/**
 * The daemon (`ecu-ai run`): opens the configured transports, loads and warms every domain's model
 * in its isolated worker, serves the domains in real time under the scheduler, exposes `/metrics`
 * and `/health`, and stops gracefully: a stop drains in-flight work, closes the workers and the
 * buses, and flushes the log.
 */
import type { Logger } from 'pino';
import path from 'node:path';
import type { CanFrame } from '../bus/frame.js';
import type { Bus } from '../bus/transport/index.js';
import { BusInitError } from '../bus/errors.js';
import { RealClock, type Clock } from './clock.js';
import type { EcuAiConfig } from './config.js';
import { BusMonitor } from './observe/bus-monitor.js';
import { describeDefaulted, describeDisabled, planDomainInputs } from './engine/domain-inputs.js';
import { Engine } from './engine/engine.js';
import type { InferenceEngine, InferenceFactory } from './inference/index.js';
import { HealthModel, LogThrottle, MetricsRegistry, registerStandardMetrics, startObserveServer, type ObserveServer } from './observe/index.js';
import type { DomainDefinition } from './service/domain.js';
import { resolveDomains } from './service/resolved.js';
import { referenceVehicleSignals } from './vehicle/reference-mapping.js';
import type { ResolvedSignal } from './vehicle/types.js';
import type { RemoteInference } from './service/runner.js';
import { startSomeipBridge, type SomeipBridge } from './someip/bridge.js';
import { observeSomeip } from './someip/observe.js';
import { someipCatalogSource, someipInputsFromConfig } from './someip/signal-source.js';
import type { VehicleCloud } from './cloud/facade/vehicle-cloud.js';
import type { SnippetCapture, SnippetRecorder } from './datalog/index.js';
import type { PlatformReading } from './platform/index.js';
import { busInputs } from './compose/bus-inputs.js';
import { dataLoop } from './compose/data-loop.js';
import { frameIntake, schedulerLoop } from './compose/frame-intake.js';
import { inferenceComponent } from './compose/inference-component.js';
import { component, Lifecycle } from './compose/lifecycle.js';
import { vehicleDatabase } from './compose/vehicle-database.js';

export interface DaemonOptions {
  readonly config: Readonly<EcuAiConfig>;
  readonly domains: readonly DomainDefinition[];
  readonly dbcPath: string;
  /** The vehicle's catalog signals (a resolved profile); default the reference vehicle. */
  readonly vehicleSignals?: ReadonlyMap<string, ResolvedSignal>;
  readonly modelsDir: string;
  readonly logger: Logger;
  readonly workerEntry?: string;
  /** Where the models run; default the supervised worker pool (`InferencePool`, with `workerEntry`). */
  readonly inference?: InferenceFactory;
  readonly cloud?: RemoteInference;
  /** Overrides `config.http`; `false` serves no HTTP (tests of the engine alone). */
  readonly http?: { host: string; port: number } | false;
  /** Buses to use instead of opening `config.transports` (tests, embedding). */
  readonly buses?: readonly Bus[];
  readonly clock?: Clock;
  /** Folder the config's relative paths (cloud.outbox_dir, cloud.tls.*) start from; default the working directory. */
  readonly baseDir?: string;
  /** Where `cloud.password_env` is looked up; default none (the entry point passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives each data snippet instead of the outbox (tests, a folder); with it, snippets are taken even without the cloud. */
  readonly snippetSink?: (c: SnippetCapture) => void | Promise<void>;
}

export interface Daemon {
  readonly engine: Engine;
  readonly pool: InferenceEngine;
  readonly http: ObserveServer | undefined;
  readonly metrics: MetricsRegistry;
  readonly health: HealthModel;
  /** The SOME/IP bridge, when enabled and started. */
  readonly someip: SomeipBridge | undefined;
  /** The vehicle–cloud link, outbox and reporter, when `cloud.enabled`. */
  readonly cloud: VehicleCloud | undefined;
  /** The data snippet recorder, when snippets are on. */
  readonly snippets: SnippetRecorder | undefined;
  /** Stops everything; resolves when drained and closed. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once the daemon has stopped (after `stop()`, or after a fatal error). */
  readonly done: Promise<void>;
}

/** How often a recurring output send failure is logged (s); the metric counts every one. */
const SEND_FAILURE_LOG_PERIOD_S = 10;

/**
 * Starts the daemon and resolves once it is ready (models warm, buses open, HTTP listening).
 * It is a stack of components started in dependency order: HTTP, the vehicle database, the
 * cloud's secrets, the buses, inference, the cloud link and outbox, the engine (signal store,
 * runners, scheduler state), SOME/IP, data snippets and telemetry, the scheduler loop, frame
 * intake. They close in the reverse order, on `stop()` and on a failed start alike. The HTTP
 * endpoint binds first and the buses open before the models load, so a taken port or a refusing
 * bus fails the start before any worker is spawned.
 * @throws {Error} with code EADDRINUSE / EACCES when the HTTP address cannot be bound
 * @throws {AdmissionError}, {ModelLoadError}, {BusInitError} at start-up, after closing what had started
 * @throws {ConfigInvalidError} naming `cloud.password_env` or `cloud.tls.*` when the cloud's secrets cannot be read
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
  const vehicleSignals = o.vehicleSignals ?? referenceVehicleSignals();
  // A domain the vehicle cannot serve is said once and left out of everything that follows.
  const configured = resolveDomains(o.domains, cfg);
  const inputs = planDomainInputs(configured.map((d) => d.definition), vehicleSignals);
  for (const d of inputs.disabled) {
    log.warn({ domain: d.domain, missing: d.missing }, describeDisabled(d));
    health.setDisabled(d.domain, d.missing);
  }
  for (const d of inputs.defaulted) log.warn({ domain: d.domain, defaults: d.inputs }, describeDefaulted(d));
  const enabled = configured.filter((d) => inputs.running.includes(d.domain));
  for (const d of enabled) health.setDomain(d.domain, { state: 'starting', critical: d.criticality === 'safety' });
  const life = new Lifecycle({
    onCloseError: (name, err) => log.error({ component: name, err: (err as Error).message }, 'close failed'),
    onTransition: (name, state) => log.debug({ component: name }, state),
  });
  // Set once they exist; until then /health says the domains are starting and /metrics has no counts.
  let live: { readonly engine: Engine; readonly pool: InferenceEngine } | undefined;
  let someip: SomeipBridge | undefined;
  let snippets: SnippetRecorder | undefined;
  let lastPlatform: PlatformReading | undefined;
  let framesIn = 0;
  const renderMetrics = (): string => {
    if (live) {
      // All three are cumulative at their source; the counters catch up to them.
      for (const h of live.pool.health()) catchUp(std.workerRestarts.labels({ domain: h.domain }), h.restarts);
      for (const s of live.engine.services) catchUp(std.deadlineMisses.labels({ domain: s.domain }), live.engine.dispatcher.stats(s.domain).missed);
      for (const s of live.engine.services) catchUp(std.invalidInputs.labels({ domain: s.domain }), live.engine.dispatcher.stats(s.domain).invalidInputs);
    }
    busMonitor.refreshMetrics(clock.now());
    return metrics.render();
  };
  const healthReport = (): ReturnType<HealthModel['report']> => {
    if (live) {
      for (const s of live.engine.services) health.recordMisses(s.domain, live.engine.dispatcher.stats(s.domain).missed, clock.now());
      for (const h of live.pool.health()) {
        health.setDomain(h.domain, { worker: { isolation: h.isolation, ...(h.pid === undefined ? {} : { pid: h.pid }), restarts: h.restarts } });
        if (h.state === 'restarting' || h.state === 'failed') health.setDomain(h.domain, { state: h.state === 'failed' ? 'failed' : 'restarting', ...(h.lastError ? { lastError: { message: h.lastError.message, code: h.lastError.code, t: clock.now() } } : {}) });
      }
    }
    return health.report(clock.now());
  };
  try {
    const httpCfg = o.http === undefined ? cfg.http : o.http;
    const http = await life.start(
      component<ObserveServer | undefined>(
        'http',
        () =>
          httpCfg === false
            ? undefined
            : startObserveServer({
                host: httpCfg.host,
                port: httpCfg.port,
                logger: log.child({ component: 'http' }),
                metrics: () => renderMetrics(),
                health: () => healthReport(),
              }),
        (server) => server?.close(),
      ),
    );
    const { database, codecs } = await life.start(vehicleDatabase(o.dbcPath, log));
    // The cloud's secrets (env variable, PEM files) are checked before any model is loaded, so a bad config fails fast.
    const cloudMod = cfg.cloud.enabled ? await import('./cloud/facade/vehicle-cloud.js') : undefined;
    const cloudAccess = await life.start(component('cloud secrets', () => cloudMod?.resolveCloudAccess(cfg.cloud, o.baseDir ?? process.cwd(), o.env ?? {})));
    // A socketcand server that is not up yet is waited for (and logged) meanwhile.
    const buses = await life.start(busInputs({ monitor: busMonitor, transports: cfg.transports, ...(o.buses ? { given: o.buses } : {}) }));
    const { pool, models } = await life.start(
      inferenceComponent({
        modelsDir: o.modelsDir,
        config: cfg,
        domains: enabled,
        logger: log.child({ component: 'inference' }),
        clock,
        spinUs: cfg.inference.spin_us,
        ...(o.workerEntry ? { workerEntry: o.workerEntry } : {}),
        ...(o.inference ? { inference: o.inference } : {}),
        onReady: (domain, m) => log.info({ domain, model: `${m.name}@${m.version}` }, 'model ready'),
      }),
    );
    // The cloud link never waits for the broker; the outbox buffers until it answers.
    const vc: VehicleCloud | undefined = await life.start(
      component(
        'cloud link',
        async () => {
          if (!cloudMod) return undefined;
          const unanswered = metrics.counter('ecu_ai_cloud_unanswered_total', 'Cloud requests with no answer within their deadline (the service fell back to local).', ['domain']);
          return cloudMod.VehicleCloud.open({
            onUnanswered: (domain) => unanswered.labels({ domain }).inc(),
            config: cfg.cloud,
            vehicleId: cfg.vehicle_id,
            domains: enabled,
            outboxDir: path.resolve(o.baseDir ?? process.cwd(), cfg.cloud.outbox_dir),
            ...(cloudAccess ? { access: cloudAccess } : {}),
            clock,
            logger: log.child({ component: 'cloud' }),
          });
        },
        (cloud) => cloud?.close(),
      ),
    );
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
    const out = buses[0];
    const engine = await life.start(
      component(
        'engine',
        () =>
          new Engine({
            config: cfg,
            domains: enabled,
            models,
            codecs,
            vehicleSignals,
            // Domain signals may come from the DBC or from configured SOME/IP input events.
            dbcMessages: [...database.messages, ...(cfg.someip.enabled ? someipCatalogSource(someipInputsFromConfig(cfg.someip)).messages : [])],
            clock,
            timing: 'real',
            local: pool,
            ...(o.cloud ? { cloud: o.cloud } : vc ? { cloud: vc.runner } : {}),
            logger: log,
            ...(out ? { send: (f: CanFrame) => void out.send(f).catch((err: unknown) => onSendFailure(out, err)) } : {}),
            onResult: (r) => {
              someip?.publish(r);
              snippets?.onResult(r);
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
              snippets?.onEvent(e);
            },
            onPlatform: (p) => {
              lastPlatform = p;
              std.socTemperature.labels({ zone: p.sources.socC === 'sysfs' ? 'soc' : 'model' }).set(p.socC);
              std.powerWatts.set(p.powerW);
            },
          }),
        (e) => e.stop(),
      ),
    );
    for (const d of enabled) health.setDomain(d.domain, { state: 'running', watchdogS: Math.max(2, (5 * 1000) / d.rateHz / 1000) });
    health.addCheck('buses', (now) => busMonitor.component(now));
    // Results out as SOME/IP events, SOME/IP inputs into the signal store. A port in use costs the
    // SOME/IP output only, never the vehicle functions: logged, not fatal.
    someip = await life.start(
      component(
        'someip',
        async () => {
          if (!cfg.someip.enabled) return undefined;
          try {
            const bridge = await startSomeipBridge({ config: cfg, domains: enabled, logger: log, clock, sink: engine.store });
            observeSomeip(bridge, metrics, health);
            return bridge;
          } catch (err) {
            if (!(err instanceof BusInitError)) throw err;
            log.error({ err: err.message }, 'SOME/IP not available');
            return undefined;
          }
        },
        (bridge) => bridge?.close(),
      ),
    );
    const data = await life.start(
      dataLoop({
        config: cfg,
        engine,
        domains: enabled,
        cloud: vc,
        ...(o.snippetSink ? { snippetSink: o.snippetSink } : {}),
        clock,
        logger: log,
        counters: () => ({ framesIn, platform: lastPlatform }),
      }),
    );
    snippets = data.snippets;
    if (vc) health.addCheck('cloud', () => vc.health());
    await life.start(schedulerLoop(engine, log));
    await life.start(
      frameIntake(buses, (bus, frame) => {
        busMonitor.trackOf(bus).lastFrameAt = clock.now();
        std.framesReceived.labels({ channel: frame.channel }).inc();
        engine.ingestLive(frame);
        framesIn++;
        data.onFrame(frame, clock.now());
      }),
    );
    live = { engine, pool };
    log.info({ domains: enabled.map((d) => d.domain), buses: buses.map((b) => b.name), http: http?.url }, 'ecu-ai ready');

    let stopping: Promise<void> | undefined;
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        log.info('stopping: draining in-flight work');
        await life.close();
        for (const d of enabled) health.setDomain(d.domain, { state: 'stopped' });
        log.info('stopped');
        log.flush();
        resolveDone();
      })();
      return stopping;
    };
    return { engine, pool, http, metrics, health, someip, cloud: vc, snippets, stop, done };
  } catch (err) {
    await life.close();
    throw err;
  }
}

function catchUp(counter: { value: number; inc(by: number): void }, total: number): void {
  if (total > counter.value) counter.inc(total - counter.value);
}
