/**
 * Service interface descriptions: methods, events and fields (getter, setter, notifier) grouped in
 * eventgroups, with payload schemas. Shared by SomeipServer and SomeipClient; plain data, so it
 * can come from JSON.
 */
import { compilePayload, type PayloadCodec } from './serializer.js';
import type { SomeipType } from './schema.js';

export interface MethodSpec {
  readonly id: number;
  readonly request?: SomeipType;
  readonly response?: SomeipType;
  /** REQUEST_NO_RETURN: no response is sent. */
  readonly fireAndForget?: boolean;
}

export interface EventSpec {
  readonly id: number;
  readonly eventgroups: readonly number[];
  readonly payload?: SomeipType;
}

export interface FieldSpec {
  readonly payload: SomeipType;
  readonly getterId?: number;
  readonly setterId?: number;
  /** Event ID of the notifier; requires `eventgroups`. */
  readonly notifierId?: number;
  readonly eventgroups?: readonly number[];
}

export interface ServiceInterface {
  readonly serviceId: number;
  readonly instanceId: number;
  /** Interface version in every header; SD major version. */
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly methods?: Readonly<Record<string, MethodSpec>>;
  readonly events?: Readonly<Record<string, EventSpec>>;
  readonly fields?: Readonly<Record<string, FieldSpec>>;
}

const EMPTY: PayloadCodec = {
  schema: { type: 'struct', fields: [] },
  encode: () => new Uint8Array(0),
  decode: () => ({}),
};

/** Compiled codecs of one interface, keyed for lookup by ID as messages arrive. */
export interface CompiledInterface {
  readonly spec: ServiceInterface;
  /** Method ID -> name, request and response codecs (getters and setters included). */
  readonly methods: ReadonlyMap<number, { readonly name: string; readonly kind: 'method' | 'getter' | 'setter'; readonly request: PayloadCodec; readonly response: PayloadCodec; readonly fireAndForget: boolean }>;
  /** Event ID -> name, codec and eventgroups (field notifiers included). */
  readonly events: ReadonlyMap<number, { readonly name: string; readonly codec: PayloadCodec; readonly eventgroups: readonly number[] }>;
  /** Field name -> its payload codec. */
  readonly fields: ReadonlyMap<string, PayloadCodec>;
  readonly eventgroups: readonly number[];
}

// Clients pass the same interface object on every call; compile it once per object.
const compiled = new WeakMap<ServiceInterface, CompiledInterface>();

/**
 * Compiles every payload schema of an interface once (cached per interface object).
 * @throws {SomeipSerializeError} when a schema is invalid.
 */
export function compileInterface(spec: ServiceInterface): CompiledInterface {
  const hit = compiled.get(spec);
  if (hit) return hit;
  const methods = new Map<number, { name: string; kind: 'method' | 'getter' | 'setter'; request: PayloadCodec; response: PayloadCodec; fireAndForget: boolean }>();
  const events = new Map<number, { name: string; codec: PayloadCodec; eventgroups: readonly number[] }>();
  const codec = (t: SomeipType | undefined): PayloadCodec => (t ? compilePayload(t) : EMPTY);
  for (const [name, m] of Object.entries(spec.methods ?? {})) {
    methods.set(m.id, { name, kind: 'method', request: codec(m.request), response: codec(m.response), fireAndForget: m.fireAndForget ?? false });
  }
  for (const [name, e] of Object.entries(spec.events ?? {})) events.set(e.id, { name, codec: codec(e.payload), eventgroups: e.eventgroups });
  const fields = new Map<string, PayloadCodec>();
  for (const [name, f] of Object.entries(spec.fields ?? {})) {
    const c = codec(f.payload);
    fields.set(name, c);
    if (f.getterId !== undefined) methods.set(f.getterId, { name, kind: 'getter', request: EMPTY, response: c, fireAndForget: false });
    if (f.setterId !== undefined) methods.set(f.setterId, { name, kind: 'setter', request: c, response: c, fireAndForget: false });
    if (f.notifierId !== undefined) events.set(f.notifierId, { name, codec: c, eventgroups: f.eventgroups ?? [] });
  }
  const eventgroups = [...new Set([...events.values()].flatMap((e) => e.eventgroups))].sort((a, b) => a - b);
  const out: CompiledInterface = { spec, methods, events, fields, eventgroups };
  compiled.set(spec, out);
  return out;
}
