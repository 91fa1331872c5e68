/**
 * The DBC grammar: turns tokens into plain statement records, without resolving references between
 * them (that is build.ts's job, so the grammar stays small and every reference check has one home).
 * Sections ecu-ai does not use (environment variables, signal groups, signal types, relations)
 * are skipped up to their closing `;`.
 */
import { DbcParseError, type SourceLocation } from '../errors.js';
import { DbcLexer, type Token } from './lexer.js';
import type { AttributeObjectType, ByteOrder, DbcAttributeDefinition } from './model.js';

export interface RawSignal {
  readonly name: string;
  /** `M`, `m3`, `m3M`, or undefined. */
  readonly mux: string | undefined;
  readonly startBit: number;
  readonly length: number;
  readonly byteOrder: ByteOrder;
  readonly signed: boolean;
  readonly scale: number;
  readonly offset: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly unit: string;
  readonly receivers: string[];
  readonly location: SourceLocation;
}

export interface RawMessage {
  /** The id as written, with the extended flag in bit 31. */
  readonly rawId: number;
  readonly name: string;
  readonly length: number;
  readonly sender: string;
  readonly signals: RawSignal[];
  readonly location: SourceLocation;
}

/** What a CM_ or BA_ statement is attached to. */
export type Target =
  | { readonly kind: '' }
  | { readonly kind: 'BU_' | 'EV_'; readonly name: string }
  | { readonly kind: 'BO_'; readonly rawId: number }
  | { readonly kind: 'SG_'; readonly rawId: number; readonly signal: string };

export interface Located {
  readonly location: SourceLocation;
}

export interface DbcStatements {
  version: string;
  nodes: { name: string; location: SourceLocation }[];
  valueTables: { name: string; pairs: Map<number, string>; location: SourceLocation }[];
  messages: RawMessage[];
  senders: ({ rawId: number; senders: string[] } & Located)[];
  comments: ({ target: Target; text: string } & Located)[];
  attributeDefinitions: (DbcAttributeDefinition & Located)[];
  attributeDefaults: ({ name: string; value: number | string } & Located)[];
  attributeValues: ({ name: string; target: Target; value: number | string } & Located)[];
  valueDescriptions: ({ rawId: number; signal: string; pairs: Map<number, string> } & Located)[];
  valueTypes: ({ rawId: number; signal: string; type: number } & Located)[];
  multiplexValues: ({ rawId: number; signal: string; switchName: string; ranges: [number, number][] } & Located)[];
}

/** A recoverable oddity found while reading the grammar. */
export type WarnFn = (location: SourceLocation, message: string) => void;

const SKIPPED = new Set([
  'BA_DEF_REL_', 'BA_REL_', 'BA_DEF_DEF_REL_', 'BA_DEF_SGTYPE_', 'BA_SGTYPE_', 'SGTYPE_', 'SGTYPE_VAL_', 'SIG_TYPE_REF_',
  'SIG_GROUP_', 'EV_', 'ENVVAR_DATA_', 'CAT_DEF_', 'CAT_', 'FILTER', 'BU_SG_REL_', 'BU_EV_REL_', 'BU_BO_REL_', 'SIGTYPE_VALTYPE_',
]);

const MUX_RE = /^(M|m\d+M?)$/;
/** The largest CAN FD payload: no message or signal position of a DBC can lie beyond it. */
const MAX_FRAME_BYTES = 64;

/**
 * Reads every statement of a DBC text.
 * @throws {DbcParseError} on a syntax error, naming line, column and what was expected.
 */
export function readStatements(text: string, file: string | undefined, warn: WarnFn): DbcStatements {
  return new StatementReader(new DbcLexer(text, file), warn).read();
}

class StatementReader {
  readonly #lx: DbcLexer;
  readonly #warn: WarnFn;
  readonly #out: DbcStatements = {
    version: '', nodes: [], valueTables: [], messages: [], senders: [], comments: [], attributeDefinitions: [],
    attributeDefaults: [], attributeValues: [], valueDescriptions: [], valueTypes: [], multiplexValues: [],
  };

  constructor(lexer: DbcLexer, warn: WarnFn) {
    this.#lx = lexer;
    this.#warn = warn;
  }

  read(): DbcStatements {
    const lx = this.#lx;
    for (let t = lx.peek(); t.kind !== 'eof'; t = lx.peek()) {
      if (t.kind !== 'ident') lx.fail(t, 'a DBC keyword such as BO_, SG_, CM_, BA_ or VAL_');
      lx.next();
      this.#statement(t);
    }
    return this.#out;
  }

  #statement(kw: Token): void {
    const lx = this.#lx;
    const loc = lx.location(kw);
    switch (kw.text) {
      case 'VERSION':
        this.#out.version = this.#string('the version string');
        return;
      case 'NS_':
        this.#punct(':');
        // The new-symbols list is indented; the first token back at column 1 starts the next statement.
        while (lx.peek().kind === 'ident' && lx.peek().column > 1) lx.next();
        return;
      case 'BS_':
        this.#punct(':');
        for (let t = lx.peek(); t.line === kw.line && t.kind !== 'eof'; t = lx.peek()) lx.next();
        return;
      case 'BU_':
        this.#punct(':');
        // Nodes follow on the same line, or one per indented line in some generated files.
        for (let t = lx.peek(); t.kind === 'ident' && (t.line === kw.line || t.column > 1); t = lx.peek()) {
          lx.next();
          this.#out.nodes.push({ name: t.text, location: lx.location(t) });
        }
        return;
      case 'VAL_TABLE_': {
        const name = this.#ident('a value table name');
        this.#out.valueTables.push({ name, pairs: this.#pairs(), location: loc });
        return;
      }
      case 'BO_':
        this.#message(loc);
        return;
      case 'SG_': {
        const last = this.#out.messages[this.#out.messages.length - 1];
        const sig = this.#signal(loc);
        if (last) last.signals.push(sig);
        else this.#warn(loc, `signal ${sig.name} comes before any BO_ message; ignored`);
        return;
      }
      case 'BO_TX_BU_': {
        const rawId = this.#int('a message id');
        this.#punct(':');
        const senders = this.#identList();
        this.#punct(';');
        this.#out.senders.push({ rawId, senders, location: loc });
        return;
      }
      case 'CM_':
        this.#comment(loc);
        return;
      case 'BA_DEF_':
        this.#attributeDefinition(loc);
        return;
      case 'BA_DEF_DEF_': {
        const name = this.#string('an attribute name');
        const value = this.#value();
        this.#punct(';');
        this.#out.attributeDefaults.push({ name, value, location: loc });
        return;
      }
      case 'BA_': {
        const name = this.#string('an attribute name');
        const target = this.#target();
        const value = this.#value();
        this.#punct(';');
        this.#out.attributeValues.push({ name, target, value, location: loc });
        return;
      }
      case 'VAL_': {
        if (lx.peek().kind === 'ident') {
          // Value descriptions of an environment variable: not used.
          lx.next();
          this.#pairs();
          return;
        }
        const rawId = this.#int('a message id');
        const signal = this.#ident('a signal name');
        this.#out.valueDescriptions.push({ rawId, signal, pairs: this.#pairs(), location: loc });
        return;
      }
      case 'SIG_VALTYPE_': {
        const rawId = this.#int('a message id');
        const signal = this.#ident('a signal name');
        if (lx.peek().text === ':') lx.next();
        const type = this.#int('a value type (0 integer, 1 float, 2 double)');
        this.#punct(';');
        this.#out.valueTypes.push({ rawId, signal, type, location: loc });
        return;
      }
      case 'SG_MUL_VAL_':
        this.#multiplexValues(loc);
        return;
      default:
        if (!SKIPPED.has(kw.text)) this.#warn(loc, `unknown keyword ${kw.text}; skipped up to the next ";"`);
        this.#skipToSemicolon();
    }
  }

  #message(loc: SourceLocation): void {
    const rawId = this.#int('a message id');
    const name = this.#ident('a message name');
    this.#punct(':');
    const length = this.#intWithin('the message length in bytes', 0, MAX_FRAME_BYTES, 'CAN FD frames carry at most 64 bytes');
    const sender = this.#ident('the sending node');
    const message: RawMessage = { rawId, name, length, sender, signals: [], location: loc };
    this.#out.messages.push(message);
    while (this.#lx.peek().kind === 'ident' && this.#lx.peek().text === 'SG_') {
      const kw = this.#lx.next();
      message.signals.push(this.#signal(this.#lx.location(kw)));
    }
  }

  #signal(loc: SourceLocation): RawSignal {
    const lx = this.#lx;
    const name = this.#ident('a signal name');
    let mux: string | undefined;
    const t = lx.peek();
    if (t.kind === 'ident') {
      if (!MUX_RE.test(t.text)) lx.fail(t, 'a multiplexer indicator (M, mN or mNM) or ":"');
      mux = lx.next().text;
    }
    this.#punct(':');
    // Bounds before any use: a start bit or length read as given would size arrays and loops.
    const startBit = this.#intWithin('the start bit', 0, MAX_FRAME_BYTES * 8 - 1, 'CAN FD frames have 512 bits');
    this.#punct('|');
    const length = this.#intWithin('the signal length in bits', 1, MAX_FRAME_BYTES * 8, 'CAN FD frames have 512 bits');
    this.#punct('@');
    const order = lx.next();
    if (order.kind !== 'number' || (order.text !== '0' && order.text !== '1')) lx.fail(order, 'byte order 0 (Motorola) or 1 (Intel)');
    const sign = lx.next();
    if (sign.text !== '+' && sign.text !== '-') lx.fail(sign, 'value type + (unsigned) or - (signed)');
    const [scale, offset] = this.#numberPair('(,)', 'the scale factor', 'the offset');
    const [minimum, maximum] = this.#numberPair('[|]', 'the minimum', 'the maximum');
    const unitTok = lx.next();
    if (unitTok.kind !== 'string') lx.fail(unitTok, 'the unit string');
    // Receivers sit on the unit's line, separated by commas (some generators use spaces).
    const receivers: string[] = [];
    for (let r = lx.peek(); r.line === unitTok.line && (r.kind === 'ident' || r.text === ','); r = lx.peek()) {
      lx.next();
      if (r.kind === 'ident') receivers.push(r.text);
    }
    return {
      name, mux, startBit, length, byteOrder: order.text === '0' ? 'big_endian' : 'little_endian', signed: sign.text === '-',
      scale, offset, minimum, maximum, unit: unitTok.text, receivers, location: loc,
    };
  }

  #comment(loc: SourceLocation): void {
    const lx = this.#lx;
    const t = lx.peek();
    let target: Target = { kind: '' };
    if (t.kind === 'ident') {
      lx.next();
      if (t.text === 'BU_' || t.text === 'EV_') target = { kind: t.text, name: this.#ident('a node name') };
      else if (t.text === 'BO_') target = { kind: 'BO_', rawId: this.#int('a message id') };
      else if (t.text === 'SG_') {
        const rawId = this.#int('a message id');
        if (lx.peek().kind === 'string') {
          // Seen in generated files: `CM_ SG_ 304 "text";` with no signal name.
          const text = this.#string('the comment text');
          this.#punct(';');
          this.#warn(loc, `signal comment on message ${rawId} names no signal; kept as the message comment`);
          this.#out.comments.push({ target: { kind: 'BO_', rawId }, text, location: loc });
          return;
        }
        target = { kind: 'SG_', rawId, signal: this.#ident('a signal name') };
      } else lx.fail(t, 'BU_, BO_, SG_, EV_ or the comment string');
    }
    const text = this.#string('the comment text');
    this.#punct(';');
    this.#out.comments.push({ target, text, location: loc });
  }

  #attributeDefinition(loc: SourceLocation): void {
    const lx = this.#lx;
    let objectType: AttributeObjectType = '';
    const t = lx.peek();
    if (t.kind === 'ident') {
      if (t.text !== 'BU_' && t.text !== 'BO_' && t.text !== 'SG_' && t.text !== 'EV_') lx.fail(t, 'BU_, BO_, SG_, EV_ or the attribute name');
      objectType = t.text as AttributeObjectType;
      lx.next();
    }
    const name = this.#string('the attribute name');
    const typeTok = lx.next();
    let minimum: number | undefined;
    let maximum: number | undefined;
    const enumValues: string[] = [];
    switch (typeTok.text) {
      case 'INT':
      case 'HEX':
      case 'FLOAT':
        if (lx.peek().kind === 'number') {
          minimum = this.#number('the minimum');
          maximum = this.#number('the maximum');
        }
        break;
      case 'STRING':
        break;
      case 'ENUM':
        while (lx.peek().kind === 'string') {
          enumValues.push(lx.next().text);
          if (lx.peek().text === ',') lx.next();
        }
        break;
      default:
        lx.fail(typeTok, 'an attribute type (INT, HEX, FLOAT, STRING or ENUM)');
    }
    this.#punct(';');
    this.#out.attributeDefinitions.push({
      name, objectType, valueType: typeTok.text as DbcAttributeDefinition['valueType'], minimum, maximum, enumValues,
      defaultValue: undefined, location: loc,
    });
  }

  #multiplexValues(loc: SourceLocation): void {
    const lx = this.#lx;
    const rawId = this.#int('a message id');
    const signal = this.#ident('a signal name');
    const switchName = this.#ident('the multiplexer switch name');
    const ranges: [number, number][] = [];
    for (;;) {
      const lo = this.#int('a range start');
      let hi: number;
      // `3-5` reads as the numbers 3 and -5: the sign is the range dash.
      const t = lx.peek();
      if (t.kind === 'number' && t.text.startsWith('-')) hi = -this.#int('a range end');
      else {
        this.#punct('-');
        hi = this.#int('a range end');
      }
      ranges.push([lo, hi]);
      if (lx.peek().text !== ',') break;
      lx.next();
    }
    this.#punct(';');
    this.#out.multiplexValues.push({ rawId, signal, switchName, ranges, location: loc });
  }

  #target(): Target {
    const lx = this.#lx;
    const t = lx.peek();
    if (t.kind !== 'ident') return { kind: '' };
    lx.next();
    if (t.text === 'BU_' || t.text === 'EV_') return { kind: t.text, name: this.#ident('a node name') };
    if (t.text === 'BO_') return { kind: 'BO_', rawId: this.#int('a message id') };
    if (t.text === 'SG_') {
      const rawId = this.#int('a message id');
      return { kind: 'SG_', rawId, signal: this.#ident('a signal name') };
    }
    return lx.fail(t, 'BU_, BO_, SG_, EV_ or the attribute value');
  }

  #pairs(): Map<number, string> {
    const pairs = new Map<number, string>();
    while (this.#lx.peek().kind === 'number') {
      const key = this.#number('a value');
      pairs.set(key, this.#string('the value description'));
    }
    this.#punct(';');
    return pairs;
  }

  #identList(): string[] {
    const names: string[] = [];
    for (let t = this.#lx.peek(); t.kind === 'ident' || t.text === ','; t = this.#lx.peek()) {
      this.#lx.next();
      if (t.kind === 'ident') names.push(t.text);
    }
    return names;
  }

  #skipToSemicolon(): void {
    for (let t = this.#lx.next(); t.kind !== 'eof'; t = this.#lx.next()) if (t.kind === 'punct' && t.text === ';') return;
  }

  #value(): number | string {
    const t = this.#lx.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    return this.#lx.fail(t, 'an attribute value (number or string)');
  }

  /** `(a,b)` or `[a|b]`: `marks` holds the opening, separating and closing characters. */
  #numberPair(marks: string, first: string, second: string): [number, number] {
    this.#punct(marks[0] as string);
    const a = this.#number(first);
    this.#punct(marks[1] as string);
    const b = this.#number(second);
    this.#punct(marks[2] as string);
    return [a, b];
  }

  #punct(p: string): void {
    const t = this.#lx.next();
    if (t.kind !== 'punct' || t.text !== p) this.#lx.fail(t, `"${p}"`);
  }

  #ident(what: string): string {
    const t = this.#lx.next();
    if (t.kind !== 'ident') this.#lx.fail(t, what);
    return t.text;
  }

  #string(what: string): string {
    const t = this.#lx.next();
    if (t.kind !== 'string') this.#lx.fail(t, what);
    return t.text;
  }

  #number(what: string): number {
    const t = this.#lx.next();
    if (t.kind !== 'number') this.#lx.fail(t, what);
    return Number(t.text);
  }

  #int(what: string): number {
    const t = this.#lx.next();
    if (t.kind !== 'number' || !/^[-+]?\d+$/.test(t.text)) this.#lx.fail(t, `${what} (an integer)`);
    return Number(t.text);
  }

  /** An integer in [min, max]; outside it is a parse error at the number, saying why. */
  #intWithin(what: string, min: number, max: number, why: string): number {
    const t = this.#lx.peek();
    const n = this.#int(what);
    if (n < min || n > max) throw new DbcParseError(this.#lx.location(t), `${what} ${n} is outside ${min}..${max} (${why})`);
    return n;
  }
}
