/**
 * Resolves the statement records into the database: attaches comments, value descriptions, value
 * types, attributes and multiplexer values to their messages and signals, and checks what the
 * grammar cannot (ids that do not fit, signals outside their message, overlaps, dangling references).
 * Every check is a warning, so messy real files still load; strict mode makes them fatal.
 */
import type { SourceLocation } from '../errors.js';
import { MAX_EXTENDED_ID, MAX_STANDARD_ID } from '../frame.js';
import { bytesNeeded } from './bit-layout.js';
import { checkMultiplexing, checkOverlaps } from './checks.js';
import {
  makeDatabase, type AttributeValue, type DbcAttributeDefinition, type DbcDatabase, type DbcMessage, type DbcNode, type DbcSignal,
} from './model.js';
import type { DbcStatements, RawMessage, RawSignal, Target, WarnFn } from './statements.js';

const EXTENDED_FLAG = 0x8000_0000;
/** Vector's holder for signals not yet placed in a message; not a real frame. */
const PSEUDO_MESSAGE = 'VECTOR__INDEPENDENT_SIG_MSG';
/** Widest multiplexer range expanded into ids; wider ones are almost surely typos. */
const MAX_MUX_RANGE = 4096;

/** A signal while references are still being attached. */
export type SignalDraft = { -readonly [K in keyof DbcSignal]: DbcSignal[K] } & { attributes: Map<string, AttributeValue> };

export interface MessageDraft {
  name: string;
  id: number;
  extended: boolean;
  length: number;
  senders: string[];
  signals: SignalDraft[];
  comment: string | undefined;
  attributes: Map<string, AttributeValue>;
  location: SourceLocation;
}

/**
 * Builds the frozen database from statement records, reporting every inconsistency through `warn`.
 * @throws {DbcInvalidError} only through `warn`, when the caller's reporter is strict.
 */
export function buildDatabase(st: DbcStatements, warn: WarnFn): DbcDatabase {
  const definitions = new Map<string, DbcAttributeDefinition>();
  for (const d of st.attributeDefinitions) {
    const { location: _location, ...def } = d;
    definitions.set(d.name, def);
  }
  for (const d of st.attributeDefaults) {
    const def = definitions.get(d.name);
    if (!def) warn(d.location, `default for undefined attribute "${d.name}"`);
    else definitions.set(d.name, { ...def, defaultValue: d.value });
  }

  const byRawId = new Map<number, MessageDraft>();
  const messages: MessageDraft[] = [];
  const names = new Set<string>();
  for (const raw of st.messages) {
    if (raw.name === PSEUDO_MESSAGE) continue;
    const draft = messageDraft(raw, warn);
    if (names.has(draft.name)) warn(raw.location, `message name ${draft.name} is used twice; the later one wins in lookups`);
    if (byRawId.has(raw.rawId)) warn(raw.location, `message id ${raw.rawId} is used twice (${draft.name}); the later one wins in lookups`);
    names.add(draft.name);
    byRawId.set(raw.rawId, draft);
    messages.push(draft);
  }

  const findMessage = (rawId: number, loc: SourceLocation, what: string): MessageDraft | undefined => {
    const m = byRawId.get(rawId);
    if (!m) warn(loc, `${what} refers to unknown message id ${rawId}`);
    return m;
  };
  const findSignal = (rawId: number, name: string, loc: SourceLocation, what: string): SignalDraft | undefined => {
    const m = findMessage(rawId, loc, what);
    if (!m) return undefined;
    const s = m.signals.find((x) => x.name === name);
    if (!s) warn(loc, `${what} refers to unknown signal ${name} of message ${m.name}`);
    return s;
  };

  for (const s of st.senders) {
    const m = findMessage(s.rawId, s.location, 'BO_TX_BU_');
    if (m) for (const n of s.senders) if (!m.senders.includes(n)) m.senders.push(n);
  }

  const nodes = new Map<string, { name: string; comment: string | undefined; attributes: Map<string, AttributeValue> }>();
  for (const n of st.nodes) nodes.set(n.name, { name: n.name, comment: undefined, attributes: new Map() });
  const dbAttributes = new Map<string, AttributeValue>();

  const attach = (target: Target, loc: SourceLocation, what: string): { comment: string | undefined; attributes: Map<string, AttributeValue> } | undefined => {
    switch (target.kind) {
      case 'BO_':
        return findMessage(target.rawId, loc, what);
      case 'SG_':
        return findSignal(target.rawId, target.signal, loc, what);
      case 'BU_': {
        const n = nodes.get(target.name);
        if (!n) warn(loc, `${what} refers to unknown node ${target.name}`);
        return n;
      }
      default:
        return undefined; // environment variables and the database itself carry no comment here
    }
  };

  for (const c of st.comments) {
    const obj = attach(c.target, c.location, 'comment');
    if (obj) obj.comment = c.text;
  }
  for (const a of st.attributeValues) {
    const def = definitions.get(a.name);
    if (!def) warn(a.location, `value for undefined attribute "${a.name}"`);
    let value = a.value;
    if (def?.valueType === 'ENUM' && typeof value === 'number') {
      const label = def.enumValues[value];
      if (label === undefined) warn(a.location, `attribute "${a.name}" has no enum value ${value}`);
      else value = label;
    }
    if (a.target.kind === '') dbAttributes.set(a.name, value);
    else attach(a.target, a.location, `attribute "${a.name}"`)?.attributes.set(a.name, value);
  }
  for (const v of st.valueDescriptions) {
    const s = findSignal(v.rawId, v.signal, v.location, 'VAL_');
    if (s) s.choices = v.pairs;
  }
  for (const v of st.valueTypes) {
    const s = findSignal(v.rawId, v.signal, v.location, 'SIG_VALTYPE_');
    if (!s) continue;
    const width = v.type === 1 ? 32 : v.type === 2 ? 64 : v.type === 0 ? false : undefined;
    if (width === undefined) warn(v.location, `SIG_VALTYPE_ ${v.type} of ${s.name} is not 0, 1 or 2; read as integer`);
    else if (width !== false && s.length !== width) warn(v.location, `${s.name} is ${s.length} bits, not the ${width} a float needs; read as integer`);
    else s.float = width;
  }
  const explicitMux = new Set<SignalDraft>();
  for (const v of st.multiplexValues) {
    const s = findSignal(v.rawId, v.signal, v.location, 'SG_MUL_VAL_');
    if (!s) continue;
    const ids = new Set<number>(explicitMux.has(s) ? (s.multiplexerIds ?? []) : []);
    for (const [lo, hi] of v.ranges) {
      if (hi < lo || hi - lo > MAX_MUX_RANGE) {
        warn(v.location, `multiplexer range ${lo}-${hi} of ${s.name} is empty or wider than ${MAX_MUX_RANGE}; ignored`);
        continue;
      }
      for (let i = lo; i <= hi; i++) ids.add(i);
    }
    s.multiplexerSignal = v.switchName;
    s.multiplexerIds = [...ids].sort((a, b) => a - b);
    explicitMux.add(s);
  }

  const built: DbcMessage[] = messages.map((m) => finishMessage(m, definitions, explicitMux, warn));
  return makeDatabase({
    version: st.version,
    nodes: [...nodes.values()].map((n): DbcNode => Object.freeze({ ...n })),
    messages: built,
    valueTables: new Map(st.valueTables.map((t) => [t.name, t.pairs])),
    attributes: dbAttributes,
    attributeDefinitions: definitions,
  });
}

function messageDraft(raw: RawMessage, warn: WarnFn): MessageDraft {
  let extended = raw.rawId >= EXTENDED_FLAG;
  let id = extended ? raw.rawId - EXTENDED_FLAG : raw.rawId;
  if (id > MAX_EXTENDED_ID) {
    warn(raw.location, `frame id 0x${id.toString(16)} of message ${raw.name} is more than 29 bits; cut to 29 bits`);
    id = id % (MAX_EXTENDED_ID + 1);
  }
  if (!extended && id > MAX_STANDARD_ID) {
    warn(raw.location, `standard frame id 0x${id.toString(16)} of message ${raw.name} is more than 11 bits; read as extended`);
    extended = true;
  }
  if (raw.length > 64) warn(raw.location, `message ${raw.name} is ${raw.length} bytes long; CAN FD carries at most 64`);
  const signals: SignalDraft[] = [];
  for (const s of raw.signals) {
    if (s.length < 1 || s.length > 64) {
      warn(s.location, `signal ${s.name} of message ${raw.name} is ${s.length} bits long (1 to 64 allowed); ignored`);
      continue;
    }
    if (signals.some((x) => x.name === s.name)) warn(s.location, `signal name ${s.name} is used twice in message ${raw.name}`);
    signals.push(signalDraft(s));
  }
  return {
    name: raw.name, id, extended, length: raw.length, senders: raw.sender === 'Vector__XXX' ? [] : [raw.sender], signals,
    comment: undefined, attributes: new Map(), location: raw.location,
  };
}

function signalDraft(s: RawSignal): SignalDraft {
  const noRange = s.minimum === 0 && s.maximum === 0;
  const muxMatch = s.mux === undefined ? null : /^m(\d+)/.exec(s.mux);
  return {
    name: s.name, startBit: s.startBit, length: s.length, byteOrder: s.byteOrder, signed: s.signed, float: false,
    scale: s.scale, offset: s.offset, minimum: noRange ? undefined : s.minimum, maximum: noRange ? undefined : s.maximum,
    unit: s.unit, receivers: s.receivers.filter((r) => r !== 'Vector__XXX'), choices: new Map(), comment: undefined,
    attributes: new Map(), isMultiplexer: s.mux !== undefined && s.mux.endsWith('M'),
    multiplexerSignal: undefined, multiplexerIds: muxMatch ? [Number(muxMatch[1])] : undefined, location: s.location,
  };
}

function finishMessage(
  m: MessageDraft, definitions: ReadonlyMap<string, DbcAttributeDefinition>, explicitMux: ReadonlySet<SignalDraft>, warn: WarnFn,
): DbcMessage {
  const attr = (name: string): AttributeValue | undefined => m.attributes.get(name) ?? definitions.get(name)?.defaultValue;
  const format = attr('VFrameFormat');
  const fd = m.length > 8 || (typeof format === 'string' && format.includes('FD'));
  const cycle = attr('GenMsgCycleTime');
  checkMultiplexing(m, explicitMux, warn);
  for (const s of m.signals) {
    if (bytesNeeded(s.startBit, s.length, s.byteOrder) > m.length) {
      warn(s.location, `signal ${s.name} (start bit ${s.startBit}, ${s.length} bits) does not fit in the ${m.length}-byte message ${m.name}`);
    }
  }
  checkOverlaps(m, warn);
  const signals = m.signals.map((s): DbcSignal => Object.freeze({ ...s, receivers: Object.freeze(s.receivers), multiplexerIds: s.multiplexerIds && Object.freeze(s.multiplexerIds) }));
  return Object.freeze({
    name: m.name, id: m.id, extended: m.extended, fd, length: m.length, senders: Object.freeze(m.senders),
    signals: Object.freeze(signals), comment: m.comment, attributes: m.attributes,
    cycleTimeMs: typeof cycle === 'number' && cycle > 0 ? cycle : undefined,
    isMultiplexed: signals.some((s) => s.isMultiplexer), location: m.location,
  });
}
