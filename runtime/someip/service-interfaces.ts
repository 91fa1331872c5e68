/**
 * The SOME/IP service interfaces ecu-ai offers: one service per domain, each with one eventgroup
 * holding one event (`result`) that carries every answer of the domain. One service per domain
 * (rather than one service with an eventgroup per domain) lets a consumer find, version and
 * subscribe to a single domain through SD alone, and lets a domain's interface change its major
 * version without touching the others. A domain may declare a method answering its latest result
 * (the cockpit's `getDriverState`).
 *
 * Each domain declares its ids and payload fields in its definition (`DomainDefinition.someip`);
 * payloads are derived from its JSON form (`DomainDefinition.toJson`), not from its result type, so
 * the runtime never imports a domain: every event is a struct of three common fields (`t`,
 * `variant`, `inputs_valid`) followed by the domain's JSON keys in a fixed order. String values
 * travel as uint8 indices into a declared label list, `null` as a declared number.
 */
import type { ServiceInterface, SomeipType, SomeipValue, StructField } from '../../bus/someip/index.js';
import type { EcuAiConfig } from '../config.js';
import { ConfigInvalidError } from '../errors.js';
import type { DomainDefinition } from '../service/domain.js';
import type { DomainServiceIds, ResultField } from '../service/someip-service.js';

export type { DomainServiceIds, ResultField } from '../service/someip-service.js';

/** One domain's service: its IDs, the interface for the SOME/IP layer and the payload mapping. */
export interface DomainService {
  readonly domain: string;
  readonly ids: DomainServiceIds;
  /** The method answering the latest result, when the domain declares one. */
  readonly method?: string;
  readonly iface: ServiceInterface;
  readonly fields: readonly ResultField[];
}

export const SOMEIP_MAJOR_VERSION = 1;
export const SOMEIP_MINOR_VERSION = 0;
export const RESULT_EVENT = 'result';

const VARIANTS = ['fp32', 'int8', 'cloud', 'fallback'] as const;

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

function makeService(domain: string, ids: DomainServiceIds, fields: readonly ResultField[], method: string | undefined): DomainService {
  const payload = resultSchema(fields);
  const iface: ServiceInterface = {
    serviceId: ids.serviceId,
    instanceId: ids.instanceId,
    majorVersion: SOMEIP_MAJOR_VERSION,
    minorVersion: SOMEIP_MINOR_VERSION,
    events: { [RESULT_EVENT]: { id: ids.eventId, eventgroups: [ids.eventgroupId], payload } },
    ...(method !== undefined && ids.methodId !== undefined ? { methods: { [method]: { id: ids.methodId, response: payload } } } : {}),
  };
  return { domain, ids, ...(method !== undefined ? { method } : {}), iface, fields };
}

/**
 * The domains' services with the config's ID overrides applied.
 * @throws {ConfigInvalidError} when two domains end up with the same service and instance ID, or
 * an event ID is not in the event range (0x8000 and up) or a method ID is.
 */
export function domainServices(someip: Pick<EcuAiConfig['someip'], 'services'>, domains: readonly Pick<DomainDefinition, 'domain' | 'someip'>[]): readonly DomainService[] {
  const out: DomainService[] = [];
  const issues: { path: string; message: string }[] = [];
  const seen = new Map<string, string>();
  for (const { domain, someip: d } of domains) {
    const o = someip.services[domain] ?? {};
    const methodId = o.method_id ?? d.methodId;
    const ids: DomainServiceIds = {
      serviceId: o.service_id ?? d.serviceId,
      instanceId: o.instance_id ?? d.instanceId,
      eventgroupId: o.eventgroup_id ?? d.eventgroupId,
      eventId: o.event_id ?? d.eventId,
      ...(methodId !== undefined ? { methodId } : {}),
    };
    const path = `someip.services.${domain}`;
    const key = `${ids.serviceId}.${ids.instanceId}`;
    const clash = seen.get(key);
    if (clash) issues.push({ path: `${path}.service_id`, message: `service 0x${hex4(ids.serviceId)} instance ${ids.instanceId} is already ${clash}'s` });
    seen.set(key, domain);
    if (ids.serviceId === 0 || ids.serviceId === 0xffff) issues.push({ path: `${path}.service_id`, message: '0x0000 and 0xFFFF are reserved' });
    if (ids.instanceId === 0 || ids.instanceId === 0xffff) issues.push({ path: `${path}.instance_id`, message: '0x0000 and 0xFFFF are reserved' });
    if (ids.eventId < 0x8000) issues.push({ path: `${path}.event_id`, message: 'event IDs have the top bit set (0x8000..0xFFFF)' });
    if (methodId !== undefined && methodId >= 0x8000) issues.push({ path: `${path}.method_id`, message: 'method IDs are below 0x8000' });
    if (d.method !== undefined && methodId === undefined) issues.push({ path: `${path}.method_id`, message: `method ${d.method} has no id` });
    out.push(makeService(domain, ids, d.fields, d.method));
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
