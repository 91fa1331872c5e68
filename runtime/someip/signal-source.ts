/**
 * SOME/IP as a signal source: subscribes to eventgroups of remote services and feeds each decoded
 * event into the signal store, as if it were a CAN message. An event becomes the pseudo-message
 * `SOMEIP_<SERVICE>_<EVENT>` (4 hex digits each, e.g. `SOMEIP_4B10_8001`) and each payload field a
 * signal of it: struct fields flattened with `_` (`pos_x`), array elements by index (`samples_3`),
 * a bare primitive payload as `value`. The name is a C identifier, so catalog files (which accept
 * DBC names only) can point at it: `{ "Vehicle.Speed": { "message": "SOMEIP_4B10_8001", "signal": "speed" } }`.
 */
import type { Logger } from 'pino';
import { SomeipClient, validateSchema, type ServiceInterface, type SomeipSd, type SomeipType, type SomeipUdpEndpoint, type SomeipValue } from '../../bus/someip/index.js';
import type { Clock } from '../clock.js';
import type { EcuAiConfig } from '../config.js';
import { ConfigInvalidError } from '../errors.js';
import type { CatalogSchemaSource } from '../signals/catalog.js';
import type { DecodedValues, MessageInfo } from '../signals/store.js';
import { hex4 } from './service-interfaces.js';

/** Where decoded inputs go; `SignalStore` satisfies it. */
export interface SignalSink {
  ingest(frame: { readonly channel: string }, message: MessageInfo, decoded: DecodedValues, t: number): number;
}

/** One remote eventgroup to read. */
export interface SomeipInput {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly majorVersion: number;
  readonly eventgroupId: number;
  readonly events: readonly { readonly eventId: number; readonly payload: SomeipType; readonly cycleTimeMs?: number }[];
}

/** The channel name store entries see for SOME/IP inputs (catalog entries may pin it). */
export const SOMEIP_CHANNEL = 'someip';

/** The pseudo-message name of a SOME/IP event in the signal catalog. */
export function someipMessageName(serviceId: number, eventId: number): string {
  return `SOMEIP_${hex4(serviceId).toUpperCase()}_${hex4(eventId).toUpperCase()}`;
}

/** The signal names a payload schema yields (what `flattenPayload` produces). */
export function payloadSignalNames(t: SomeipType, prefix = ''): string[] {
  const here = prefix === '' ? 'value' : prefix;
  if (t.type === 'struct') return t.fields.flatMap((f) => payloadSignalNames(f.type, prefix === '' ? f.name : `${prefix}_${f.name}`));
  if (t.type === 'array' && t.length !== undefined) return Array.from({ length: t.length }, (_, i) => payloadSignalNames(t.element, `${here}_${i}`)).flat();
  return [here];
}

/** A decoded payload as store values: numbers (booleans 0/1, 64-bit integers as numbers) and strings. */
export function flattenPayload(v: SomeipValue, out: Record<string, number | string> = {}, prefix = ''): Record<string, number | string> {
  const here = prefix === '' ? 'value' : prefix;
  if (typeof v === 'number' || typeof v === 'string') out[here] = v;
  else if (typeof v === 'boolean') out[here] = v ? 1 : 0;
  else if (typeof v === 'bigint') out[here] = Number(v);
  else if (Array.isArray(v)) v.forEach((e: SomeipValue, i) => flattenPayload(e, out, `${here}_${i}`));
  else for (const [k, e] of Object.entries(v)) flattenPayload(e, out, prefix === '' ? k : `${prefix}_${k}`);
  return out;
}

/**
 * The pseudo-messages and signals of the inputs, so a catalog can be validated against them
 * together with the DBC: `catalog.validateAgainst({ messages: [...dbc.messages, ...src.messages] })`.
 */
export function someipCatalogSource(inputs: readonly SomeipInput[]): CatalogSchemaSource & { readonly messages: readonly { name: string; signals: { name: string }[] }[] } {
  return {
    messages: inputs.flatMap((i) => i.events.map((e) => ({ name: someipMessageName(i.serviceId, e.eventId), signals: payloadSignalNames(e.payload).map((name) => ({ name })) }))),
  };
}

/**
 * The inputs of the config, with every payload schema checked.
 * @throws {ConfigInvalidError} naming `someip.inputs.N.events.M.payload` for an invalid schema,
 * or an event ID below 0x8000.
 */
export function someipInputsFromConfig(someip: Pick<EcuAiConfig['someip'], 'inputs'>): SomeipInput[] {
  const issues: { path: string; message: string }[] = [];
  const inputs = someip.inputs.map((i, n) => ({
    serviceId: i.service_id,
    instanceId: i.instance_id,
    majorVersion: i.major_version,
    eventgroupId: i.eventgroup_id,
    events: i.events.flatMap((e, m) => {
      const path = `someip.inputs.${n}.events.${m}`;
      if (e.event_id < 0x8000) issues.push({ path: `${path}.event_id`, message: 'event IDs have the top bit set (0x8000..0xFFFF)' });
      try {
        return [{ eventId: e.event_id, payload: validateSchema(e.payload), ...(e.cycle_time_ms === undefined ? {} : { cycleTimeMs: e.cycle_time_ms }) }];
      } catch (err) {
        issues.push({ path: `${path}.payload`, message: (err as Error).message });
        return [];
      }
    }),
  }));
  if (issues.length > 0) throw new ConfigInvalidError('config', issues);
  return inputs;
}

export interface SomeipSignalSourceOptions {
  /** SD (shared with the bridge's offers: one SD endpoint per host). */
  readonly sd: SomeipSd;
  /** Where events arrive (may be the bridge's service endpoint). */
  readonly endpoint: SomeipUdpEndpoint;
  readonly sink: SignalSink;
  /** Arrival times on the store's time base. */
  readonly clock: Clock;
  readonly inputs: readonly SomeipInput[];
  readonly logger?: Logger;
}

/** Subscribes to the inputs and feeds their events into a signal sink. */
export class SomeipSignalSource {
  readonly stats = { events: 0, signals: 0 };
  readonly #client: SomeipClient;

  /**
   * Subscribes at once; events flow once SD has found the services and acknowledged the subscriptions.
   * @throws {SomeipSerializeError} on an invalid schema (inputs from config are checked before).
   */
  constructor(o: SomeipSignalSourceOptions) {
    this.#client = new SomeipClient({ endpoint: o.endpoint, sd: o.sd });
    // The client keeps one subscription per service: merge the inputs of a service into one interface.
    const byService = new Map<number, SomeipInput[]>();
    for (const i of o.inputs) byService.set(i.serviceId, [...(byService.get(i.serviceId) ?? []), i]);
    for (const [serviceId, list] of byService) {
      const first = list[0] as SomeipInput;
      const messages = new Map<string, MessageInfo>();
      const events: Record<string, { id: number; eventgroups: number[]; payload: SomeipType }> = {};
      for (const i of list) {
        for (const e of i.events) {
          const name = someipMessageName(serviceId, e.eventId);
          const known = events[name];
          if (known) known.eventgroups.push(i.eventgroupId);
          else events[name] = { id: e.eventId, eventgroups: [i.eventgroupId], payload: e.payload };
          messages.set(name, { name, ...(e.cycleTimeMs === undefined ? {} : { cycleTimeMs: e.cycleTimeMs }) });
        }
      }
      const iface: ServiceInterface = { serviceId, instanceId: first.instanceId, majorVersion: first.majorVersion, minorVersion: 0, events };
      const frame = { channel: SOMEIP_CHANNEL };
      this.#client.subscribe(iface, [...new Set(list.map((i) => i.eventgroupId))], (eventName, value) => {
        const message = messages.get(eventName);
        if (!message) return;
        this.stats.events++;
        this.stats.signals += o.sink.ingest(frame, message, flattenPayload(value), o.clock.now());
      });
      o.logger?.info({ service: `0x${hex4(serviceId)}`, eventgroups: list.map((i) => i.eventgroupId) }, 'SOME/IP input subscribed');
    }
  }

  /** Malformed or unsolicited notifications the client dropped. */
  get dropped(): number {
    return this.#client.stats.notificationsDropped;
  }

  /** Unsubscribes (StopSubscribe). */
  close(): void {
    this.#client.close();
  }
}
