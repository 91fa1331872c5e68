/**
 * The SOME/IP service interfaces ecu-ai offers: one service per domain, each with one eventgroup
 * holding one event (`result`) that carries every answer of the domain. One service per domain
 * (rather than one service with an eventgroup per domain) lets a consumer find, version and
 * subscribe to a single domain through SD alone, and lets a domain's interface change its major
 * version without touching the others. The cockpit service also has the method `getDriverState`.
 *
 * Payloads are derived from each domain's JSON form (`DomainDefinition.toJson`), not from its
 * result type, so the runtime never imports a domain: every event is a struct of three common
 * fields (`t`, `variant`, `inputs_valid`) followed by the domain's JSON keys in a fixed order.
 * String values travel as uint8 indices into a declared label list, `null` as a declared number.
 */
import type { ServiceInterface, SomeipType, SomeipValue, StructField } from '../../bus/someip/index.js';
import type { DomainName, EcuAiConfig } from '../config.js';
import { ConfigInvalidError } from '../errors.js';

type Primitive = 'uint8' | 'uint16' | 'float32' | 'float64' | 'boolean';

/** One payload field taken from a key of the domain's JSON form. */
export interface ResultField {
  /** The JSON key (and the payload field name). */
  readonly name: string;
  readonly type: Primitive;
  /** Labels of a string value, sent as their index. */
  readonly labels?: readonly string[];
  /** What a JSON `null` is sent as (and decoded back to `null`). */
  readonly nullAs?: number;
}

/** The IDs of one domain's service. */
export interface DomainServiceIds {
  readonly serviceId: number;
  readonly instanceId: number;
  readonly eventgroupId: number;
  readonly eventId: number;
  /** Method ID of `getDriverState` (cockpit only; ignored elsewhere). */
  readonly methodId: number;
}

/** One domain's service: its IDs, the interface for the SOME/IP layer and the payload mapping. */
export interface DomainService {
  readonly domain: DomainName;
  readonly ids: DomainServiceIds;
  readonly iface: ServiceInterface;
  readonly fields: readonly ResultField[];
}

export const SOMEIP_MAJOR_VERSION = 1;
export const SOMEIP_MINOR_VERSION = 0;
export const RESULT_EVENT = 'result';
export const GET_DRIVER_STATE = 'getDriverState';

const VARIANTS = ['fp32', 'int8', 'cloud', 'fallback'] as const;
const SOURCES = ['model', 'fallback'] as const;

/** Default IDs: services in a private range from 0x4A01, eventgroup 1, event 0x8001. */
export const DEFAULT_SERVICE_IDS: Readonly<Record<DomainName, DomainServiceIds>> = Object.freeze({
  adas: { serviceId: 0x4a01, instanceId: 1, eventgroupId: 1, eventId: 0x8001, methodId: 0x0001 },
  chassis: { serviceId: 0x4a02, instanceId: 1, eventgroupId: 1, eventId: 0x8001, methodId: 0x0001 },
  powertrain: { serviceId: 0x4a03, instanceId: 1, eventgroupId: 1, eventId: 0x8001, methodId: 0x0001 },
  cockpit: { serviceId: 0x4a04, instanceId: 1, eventgroupId: 1, eventId: 0x8001, methodId: 0x0001 },
  body: { serviceId: 0x4a05, instanceId: 1, eventgroupId: 1, eventId: 0x8001, methodId: 0x0001 },
});

/** The domain-specific payload fields, in wire order after the common ones. */
export const RESULT_FIELDS: Readonly<Record<DomainName, readonly ResultField[]>> = Object.freeze({
  adas: [
    { name: 'level', type: 'uint8' },
    { name: 'probability', type: 'float32' },
    { name: 'ttc_s', type: 'float32' },
    { name: 'target_id', type: 'uint8' },
    { name: 'source', type: 'uint8', labels: SOURCES },
  ],
  chassis: [
    { name: 'friction_class', type: 'uint8', labels: ['dry', 'wet', 'snow', 'ice'], nullAs: 255 },
    { name: 'confidence', type: 'float32' },
    { name: 'mu', type: 'float32' },
    { name: 'source', type: 'uint8', labels: SOURCES },
  ],
  powertrain: [
    { name: 'score', type: 'float32' },
    { name: 'suspect_cell', type: 'uint8', nullAs: 0 },
    { name: 'flag', type: 'boolean' },
    { name: 'source', type: 'uint8', labels: SOURCES },
  ],
  cockpit: [
    { name: 'level', type: 'uint8' },
    { name: 'confidence', type: 'float32' },
    { name: 'source', type: 'uint8', labels: SOURCES },
  ],
  body: [
    { name: 'setpoint_c', type: 'float32' },
    { name: 'occupancy', type: 'uint8' },
    { name: 'source', type: 'uint8', labels: SOURCES },
  ],
});

/** Fields every event starts with: when the answer is about, how it was served, input validity. */
export const COMMON_FIELDS: readonly ResultField[] = [
  { name: 't', type: 'float64' },
  { name: 'variant', type: 'uint8', labels: VARIANTS },
  { name: 'inputs_valid', type: 'boolean' },
];

/** The payload schema of a domain's result event (also the `getDriverState` response). */
export function resultSchema(fields: readonly ResultField[]): SomeipType {
  return { type: 'struct', fields: [...COMMON_FIELDS, ...fields].map((f): StructField => ({ name: f.name, type: { type: f.type } })) };
}

function makeService(domain: DomainName, ids: DomainServiceIds): DomainService {
  const fields = RESULT_FIELDS[domain];
  const payload = resultSchema(fields);
  const iface: ServiceInterface = {
    serviceId: ids.serviceId,
    instanceId: ids.instanceId,
    majorVersion: SOMEIP_MAJOR_VERSION,
    minorVersion: SOMEIP_MINOR_VERSION,
    events: { [RESULT_EVENT]: { id: ids.eventId, eventgroups: [ids.eventgroupId], payload } },
    ...(domain === 'cockpit' ? { methods: { [GET_DRIVER_STATE]: { id: ids.methodId, response: payload } } } : {}),
  };
  return { domain, ids, iface, fields };
}

/**
 * The five domain services with the config's ID overrides applied.
 * @throws {ConfigInvalidError} when two domains end up with the same service and instance ID, or
 * an event ID is not in the event range (0x8000 and up) or a method ID is.
 */
export function domainServices(someip: Pick<EcuAiConfig['someip'], 'services'>): readonly DomainService[] {
  const out: DomainService[] = [];
  const issues: { path: string; message: string }[] = [];
  const seen = new Map<string, DomainName>();
  for (const domain of Object.keys(DEFAULT_SERVICE_IDS) as DomainName[]) {
    const o = someip.services[domain] ?? {};
    const d = DEFAULT_SERVICE_IDS[domain];
    const ids: DomainServiceIds = {
      serviceId: o.service_id ?? d.serviceId,
      instanceId: o.instance_id ?? d.instanceId,
      eventgroupId: o.eventgroup_id ?? d.eventgroupId,
      eventId: o.event_id ?? d.eventId,
      methodId: o.method_id ?? d.methodId,
    };
    const path = `someip.services.${domain}`;
    const key = `${ids.serviceId}.${ids.instanceId}`;
    const clash = seen.get(key);
    if (clash) issues.push({ path: `${path}.service_id`, message: `service 0x${hex4(ids.serviceId)} instance ${ids.instanceId} is already ${clash}'s` });
    seen.set(key, domain);
    if (ids.serviceId === 0 || ids.serviceId === 0xffff) issues.push({ path: `${path}.service_id`, message: '0x0000 and 0xFFFF are reserved' });
    if (ids.instanceId === 0 || ids.instanceId === 0xffff) issues.push({ path: `${path}.instance_id`, message: '0x0000 and 0xFFFF are reserved' });
    if (ids.eventId < 0x8000) issues.push({ path: `${path}.event_id`, message: 'event IDs have the top bit set (0x8000..0xFFFF)' });
    if (ids.methodId >= 0x8000) issues.push({ path: `${path}.method_id`, message: 'method IDs are below 0x8000' });
    out.push(makeService(domain, ids));
  }
  if (issues.length > 0) throw new ConfigInvalidError('config', issues);
  return out;
}

/**
 * A domain result's JSON form as the event payload value.
 * @throws {RangeError} naming the field when a value has no wire form (unknown label, missing key).
 */
export function jsonToPayload(fields: readonly ResultField[], json: Readonly<Record<string, number | string | boolean | null | undefined>>): Record<string, SomeipValue> {
  const out: Record<string, SomeipValue> = {};
  for (const f of fields) {
    const v = json[f.name];
    if (v === null) {
      if (f.nullAs === undefined) throw new RangeError(`${f.name}: null has no wire form`);
      out[f.name] = f.nullAs;
    } else if (typeof v === 'string') {
      const i = f.labels?.indexOf(v) ?? -1;
      if (i < 0) throw new RangeError(`${f.name}: unknown label ${JSON.stringify(v)}`);
      out[f.name] = i;
    } else if (typeof v === 'boolean') {
      out[f.name] = f.type === 'boolean' ? v : Number(v);
    } else if (typeof v === 'number') {
      out[f.name] = f.type === 'boolean' ? v !== 0 : v;
    } else {
      throw new RangeError(`${f.name}: missing`);
    }
  }
  return out;
}

/** A decoded event payload back in the domain's JSON form (labels and nulls restored). */
export function payloadToJson(fields: readonly ResultField[], value: SomeipValue): Record<string, number | string | boolean | null> {
  const obj = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Readonly<Record<string, SomeipValue>>;
  const out: Record<string, number | string | boolean | null> = {};
  for (const f of fields) {
    const v = obj[f.name];
    if (typeof v === 'bigint') out[f.name] = Number(v);
    else if (typeof v === 'number' && f.type === 'float32') out[f.name] = shortestFloat32(v);
    else if (typeof v === 'number' && f.nullAs !== undefined && v === f.nullAs) out[f.name] = null;
    else if (typeof v === 'number' && f.labels) out[f.name] = f.labels[v] ?? v;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') out[f.name] = v;
  }
  return out;
}

/** The shortest decimal that reads back as the same float32 (0.71, not 0.7099999785423279). */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 6; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

/** The fields of a full event (common fields first), for encoding and decoding. */
export function eventFields(s: DomainService): readonly ResultField[] {
  return [...COMMON_FIELDS, ...s.fields];
}

export function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
