/**
 * Which DBC signal most likely carries a catalog signal, for `vehicle init`'s draft: candidates are
 * ranked by the words of their names (message, signal, comment) against the catalog name's, by
 * unit compatibility, by whether the bit width suits the type (a 1-bit flag, an enum with value
 * names) and by whether the value range is plausible for the catalog signal. A guess is only a
 * guess: the draft writes it as a comment for a person to confirm.
 */
import { rawRange, type DbcDatabase, type DbcMessage, type DbcSignal } from '../bus/dbc/index.js';
import type { CatalogSignal } from '../runtime/vehicle/index.js';
import { findUnit, unitConversion, type UnitDefinition } from '../runtime/vehicle/index.js';

/** One ranked DBC signal for a catalog signal. */
export interface Candidate {
  readonly message: string;
  readonly signal: string;
  /** 0..1, higher is likelier. */
  readonly score: number;
  /** What speaks for it: `name`, `unit`, `range`, `comment`, `type`, and warnings such as `inverted?`. */
  readonly reasons: readonly string[];
  /** The multiplexer value to write, for a multiplexed DBC signal. */
  readonly mux?: number;
  /** A unit to write, when the DBC's spelling is not in the unit table. */
  readonly unit?: string;
  /** A 1-bit flag whose name says the opposite (`SEATBELT_UNLATCHED` for `IsBelted`). */
  readonly inverted: boolean;
}

/** Below this a DBC signal is not offered at all. */
export const MIN_GUESS_SCORE = 0.5;
/** The share of the catalog name's words (by weight) a DBC signal must carry to be offered. */
export const MIN_NAME_RECALL = 0.7;

/** Catalog phrases rewritten into the words DBC files use for them. */
const CATALOG_PHRASES: readonly [RegExp, string][] = [
  // The project's extension branch says nothing a DBC name would repeat.
  [/EcuAi\./g, ''],
  [/Camera\.Lane/g, 'Lane'],
  [/DriverMonitoring/g, 'Driver'],
  [/BrakePressure/g, 'Brake.Pressure'],
  // VSS seat positions, as DBC files name them (a left-hand-drive car: the driver sits left).
  [/Seat\.Row1\.DriverSide/g, 'Seat.Driver'],
  [/Seat\.Row1\.PassengerSide/g, 'Seat.Passenger'],
  [/Seat\.Row2\.DriverSide/g, 'Seat.RearLeft'],
  [/Seat\.Row2\.Middle/g, 'Seat.RearCenter'],
  [/Seat\.Row2\.PassengerSide/g, 'Seat.RearRight'],
  [/HVAC\.Station\.Row1\.Driver\.Temperature/g, 'HVAC.Setpoint'],
  [/Raindetection\.Intensity/g, 'Rain.Intensity'],
  [/Driver\.IsEyesOnRoad/g, 'Driver.Gaze.On.Road'],
  [/StateOfCharge\.Current/g, 'StateOfCharge'],
  [/AngularVelocity/g, 'Rate'],
  [/HVAC\.AmbientAirTemperature/g, 'Cabin.Inside.Temperature'],
  [/Row1/g, 'Front'],
  [/Row2/g, 'Rear'],
  [/SteeringWheel/g, 'Steer'],
  [/IsEngaged/g, 'Active'],
  [/IsOccupied/g, 'Occupied'],
  [/Seat\.(\w+)\.IsBelted/g, '$1.Belt'],
  [/StateOfCharge/g, 'Soc'],
  [/TractionBattery/g, 'Battery'],
  [/ElectricMotor/g, 'Motor'],
  [/LaneDetection/g, 'Lane'],
  [/Windshield\.Front\.Wiping\.Mode/g, 'Wiper'],
  [/Rain\.Intensity/g, 'Rain'],
  [/AirTemperature/g, 'Temperature'],
];

/** DBC abbreviations and synonyms → one concept word; a list expands to several. */
const SYNONYMS: Readonly<Record<string, string | readonly string[]>> = {
  spd: 'speed', vel: 'speed', velocity: 'speed', kph: 'speed', veh: 'vehicle',
  fl: ['front', 'left'], fr: ['front', 'right'], rl: ['rear', 'left'], rr: ['rear', 'right'],
  lf: ['front', 'left'], rf: ['front', 'right'], lr: ['rear', 'left'],
  lh: 'left', rh: 'right', back: 'rear', whl: 'wheel', wh: 'wheel',
  acceleration: 'accel', accl: 'accel', longitudinal: 'long', lon: 'long', lgt: 'long', x: 'long', lateral: 'lat', y: 'lat',
  steering: 'steer', str: 'steer', sas: ['steer', 'angle'], ang: 'angle', agl: 'angle',
  trq: 'torque', tq: 'torque', mot: 'motor', emotor: 'motor',
  brk: 'brake', press: 'pressure', prs: 'pressure', pres: 'pressure',
  act: 'active', engaged: 'active', intervention: 'active',
  temperature: 'temp', tmp: 'temp', exterior: 'outside', outside: 'outside', out: 'outside', ext: 'outside', amb: 'outside', ambient: 'outside',
  interior: 'inside', cabin: 'inside', inside: 'inside', insd: 'inside', snsr: 'sensor', sens: 'sensor',
  humidity: 'humid', hum: 'humid', solar: 'sun', sunload: 'sun',
  seatbelt: ['seat', 'belt'], buckle: 'belt', buckled: 'belt', latched: 'belt', unlatched: 'belt', belted: 'belt', drv: 'driver', pass: 'passenger', psngr: 'passenger',
  occupancy: 'occupied', occ: 'occupied', occupant: 'occupied',
  wipe: 'wiper', wiping: 'wiper', wpr: 'wiper',
  bms: 'battery', batt: 'battery', bat: 'battery', volt: 'voltage', curr: 'current', cur: 'current', soc: 'soc',
  obj: 'object', dist: 'distance', rel: 'relative', prob: 'prob', probability: 'prob', existence: 'exist',
  eyes: 'eye', opening: 'open', gaze: 'gaze',
};

/** Words that mark a value that is not the measurement itself (a command, a status, a limit). */
const NOT_A_MEASUREMENT = new Set([
  'cmd', 'command', 'req', 'request', 'target', 'set', 'setpoint', 'desired', 'fault', 'faulted', 'fail', 'error', 'err', 'status', 'sts', 'valid', 'invalid',
  'qf', 'counter', 'cnt', 'checksum', 'crc', 'alive', 'initializing', 'init', 'max', 'min', 'limit', 'lim', 'ui', 'display', 'hud', 'alt', 'toggle', 'enabled', 'warning', 'alert', 'buzzer',
  'relative', 'lead', 'cruise', 'setspeed', 'speedlimit', 'dis', 'disp',
]);

/** Words of opposite meaning: a DBC signal with one is not the catalog signal with the other. */
const OPPOSITES: readonly [string, string][] = [['left', 'right'], ['front', 'rear'], ['long', 'lat'], ['driver', 'passenger'], ['inside', 'outside'], ['min', 'max']];

/** Words saying a flag is set when the catalog's condition is not. */
const NEGATIONS = new Set(['unlatched', 'unbuckled', 'not', 'no', 'inactive', 'released', 'off']);

/** Words too general to tell signals apart. */
const GENERIC = new Set(['vehicle', 'chassis', 'powertrain', 'axle', 'body', 'adas', 'hvac', 'is']);

/** Lower-case words of an identifier or a comment, numbers without leading zeros, plurals made singular. */
function words(text: string): string[] {
  // Mixed-case acronyms (`SoC`, `SoH`) are one word, not `So` and `C`.
  const joined = text.replace(/So([CH])(?![a-z])/g, 'SO$1');
  return (joined.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => {
    if (/^\d+$/.test(w)) return String(Number(w));
    const lower = w.toLowerCase();
    return lower.length > 4 && lower.endsWith('s') && !lower.endsWith('ss') ? lower.slice(0, -1) : lower;
  });
}

function concepts(raw: readonly string[]): string[] {
  return raw.flatMap((w) => {
    const s = SYNONYMS[w];
    return s === undefined ? [w] : typeof s === 'string' ? [s] : [...s];
  });
}

interface CatalogWords {
  /** Concept → weight (the leaf segment's words count double). */
  readonly weights: ReadonlyMap<string, number>;
  readonly total: number;
}

function catalogWords(name: string): CatalogWords {
  let text = name;
  for (const [re, to] of CATALOG_PHRASES) text = text.replace(re, to);
  const segments = text.split('.');
  const weights = new Map<string, number>();
  // The leaf's words say most, the top branch (Cabin, Exterior, ...) least: DBC names rarely repeat it.
  const weightAt = (i: number): number => (i === segments.length - 1 ? 2 : i === 1 ? 0.5 : 1);
  segments.forEach((seg, i) => {
    for (const c of concepts(words(seg))) {
      if (GENERIC.has(c)) continue;
      weights.set(c, Math.max(weights.get(c) ?? 0, weightAt(i)));
    }
  });
  return { weights, total: [...weights.values()].reduce((a, b) => a + b, 0) };
}

/** What the ranking needs of one DBC signal, computed once per DBC. */
interface SignalFacts {
  readonly message: DbcMessage;
  readonly signal: DbcSignal;
  readonly own: ReadonlySet<string>;
  readonly ownList: readonly string[];
  readonly context: ReadonlySet<string>;
  readonly comment: ReadonlySet<string>;
  readonly rawWords: ReadonlySet<string>;
  readonly unit: UnitDefinition | undefined;
  /** The physical range the bits (or the declared range within them) allow. */
  readonly range: readonly [number, number] | undefined;
}

function physicalRange(s: DbcSignal): readonly [number, number] | undefined {
  if (s.float !== false) return s.minimum !== undefined && s.maximum !== undefined && s.minimum < s.maximum ? [s.minimum, s.maximum] : undefined;
  const [lo, hi] = rawRange(s).map((r) => Number(r) * s.scale + s.offset) as [number, number];
  const bits: [number, number] = [Math.min(lo, hi), Math.max(lo, hi)];
  // A declared range is trusted only inside what the bits can carry (generated DBCs often declare raw limits).
  const declared = s.minimum !== undefined && s.maximum !== undefined && s.minimum < s.maximum && s.minimum >= bits[0] && s.maximum <= bits[1];
  return declared ? [s.minimum as number, s.maximum as number] : bits;
}

function factsOf(db: DbcDatabase): SignalFacts[] {
  const out: SignalFacts[] = [];
  for (const message of db.messages) {
    const context = new Set(concepts(words(message.name)));
    for (const signal of message.signals) {
      if (signal.isMultiplexer) continue;
      const raw = words(signal.name);
      const ownList = concepts(raw);
      out.push({
        message,
        signal,
        own: new Set(ownList),
        ownList,
        context,
        comment: new Set(concepts(words(signal.comment ?? ''))),
        rawWords: new Set(raw),
        unit: signal.unit.trim() === '' ? undefined : findUnit(signal.unit),
        range: physicalRange(signal),
      });
    }
  }
  return out;
}

interface Part {
  readonly score: number;
  readonly reason?: string;
}

function nameScore(cat: CatalogWords, f: SignalFacts): Part & { readonly fromComment: boolean } {
  let matched = 0;
  let fromComment = false;
  for (const [c, w] of cat.weights) {
    if (f.own.has(c) || f.context.has(c)) matched += w;
    else if (f.comment.has(c)) {
      matched += w / 2;
      fromComment = true;
    }
  }
  const recall = cat.total > 0 ? matched / cat.total : 0;
  const precision = f.ownList.length > 0 ? f.ownList.filter((c) => cat.weights.has(c)).length / f.ownList.length : 0;
  const score = recall < MIN_NAME_RECALL ? 0 : 0.75 * recall + 0.25 * precision;
  return { score, fromComment, ...(score >= 0.6 ? { reason: 'name' } : {}) };
}

/** Multiplies the score down for words that contradict the catalog name. */
function contradiction(cat: CatalogWords, f: SignalFacts): number {
  let factor = 1;
  for (const w of f.own) if (NOT_A_MEASUREMENT.has(w) && !cat.weights.has(w)) factor *= 0.6;
  for (const [a, b] of OPPOSITES) {
    if ((cat.weights.has(a) && !cat.weights.has(b) && f.own.has(b) && !f.own.has(a)) || (cat.weights.has(b) && !cat.weights.has(a) && f.own.has(a) && !f.own.has(b))) factor *= 0.3;
  }
  const catNumbers = [...cat.weights.keys()].filter((w) => /^\d+$/.test(w));
  const dbcNumbers = [...f.own].filter((w) => /^\d+$/.test(w));
  if (catNumbers.length > 0 && !catNumbers.some((n) => dbcNumbers.includes(n))) factor *= dbcNumbers.length > 0 ? 0.3 : 0.6;
  return factor;
}

function unitScore(target: CatalogSignal, f: SignalFacts): Part {
  const want = findUnit(target.unit);
  if (target.unit === '') return f.unit === undefined || f.unit.dimension === 'none' ? { score: 1 } : { score: 0.5 };
  if (f.signal.unit.trim() === '' || f.unit?.dimension === 'none') return { score: 0.5 };
  if (!f.unit) return { score: 0.4 };
  return f.unit.dimension === want?.dimension ? { score: 1, reason: 'unit' } : { score: 0 };
}

function typeScore(target: CatalogSignal, f: SignalFacts): Part {
  const s = f.signal;
  if (target.type === 'bool') return s.length === 1 ? { score: 1, reason: 'type' } : s.choices.size === 2 ? { score: 0.8, reason: 'type' } : { score: 0.2 };
  if (target.type === 'enum') return s.choices.size > 0 ? { score: 1, reason: 'type' } : { score: s.length <= 4 ? 0.7 : 0.4 };
  // A single bit never carries a measured quantity.
  return { score: s.length === 1 ? 0 : s.length < 4 ? 0.5 : 1 };
}

function rangeScore(target: CatalogSignal, f: SignalFacts): Part {
  if (!f.range || target.type === 'bool') return { score: 0.5 };
  let [lo, hi] = f.range;
  if (f.unit && target.unit !== '') {
    try {
      const c = unitConversion(f.unit.symbol, target.unit);
      [lo, hi] = [c.apply(lo), c.apply(hi)].sort((a, b) => a - b) as [number, number];
    } catch {
      return { score: 0 };
    }
  }
  const span = target.max - target.min;
  const overlap = Math.min(hi, target.max) - Math.max(lo, target.min);
  if (overlap <= 0) return { score: 0 };
  // Most of the catalog range covered by a range not absurdly wider: a plausible carrier.
  if (overlap >= 0.2 * span && hi - lo <= 50 * span) return { score: 1, reason: 'range' };
  return { score: overlap / span };
}

function candidate(target: CatalogSignal, cat: CatalogWords, f: SignalFacts): Candidate | undefined {
  const name = nameScore(cat, f);
  if (name.score === 0) return undefined;
  const unit = unitScore(target, f);
  const type = typeScore(target, f);
  const range = rangeScore(target, f);
  const incompatible = (unit.score === 0 ? 0.2 : 1) * (type.score === 0 ? 0.3 : 1);
  const score = name.score * (0.55 + 0.2 * unit.score + 0.15 * type.score + 0.1 * range.score) * contradiction(cat, f) * incompatible;
  if (score < MIN_GUESS_SCORE) return undefined;
  const inverted = target.type === 'bool' && [...f.rawWords].some((w) => NEGATIONS.has(w)) && ![...cat.weights.keys()].some((w) => NEGATIONS.has(w));
  const reasons = [name.reason, name.fromComment ? 'comment' : undefined, unit.reason, type.reason, range.reason].filter((r): r is string => r !== undefined);
  const mux = f.signal.multiplexerIds?.[0];
  const unknownUnit = f.signal.unit.trim() !== '' && f.unit === undefined && target.unit !== '';
  if (inverted) reasons.push('inverted?');
  if (unknownUnit) reasons.push(`unit "${f.signal.unit}" assumed ${target.unit}`);
  return {
    message: f.message.name,
    signal: f.signal.name,
    score: Math.min(1, Math.round(score * 100) / 100),
    reasons,
    ...(mux !== undefined ? { mux } : {}),
    ...(unknownUnit ? { unit: target.unit } : {}),
    inverted,
  };
}

/** Ranks the DBC's signals for catalog signals, the DBC read once. */
export class CandidateRanker {
  readonly #facts: readonly SignalFacts[];

  constructor(db: DbcDatabase) {
    this.#facts = factsOf(db);
  }

  /** Every DBC signal as `MESSAGE.SIGNAL`, multiplexer switches left out. */
  signalNames(): string[] {
    return this.#facts.map((f) => `${f.message.name}.${f.signal.name}`);
  }

  /** The best candidates for one catalog signal, best first (ties by DBC order), at most `limit`. */
  rank(target: CatalogSignal, limit = 3): Candidate[] {
    const cat = catalogWords(target.name);
    const found: Candidate[] = [];
    for (const f of this.#facts) {
      const c = candidate(target, cat, f);
      if (c) found.push(c);
    }
    return found.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}
