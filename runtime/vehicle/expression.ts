/**
 * The arithmetic a vehicle profile may write over the signals of one message, e.g.
 * `(WHL_SpeedFL + WHL_SpeedFR) / 2`: numbers, signal names, `+ - * /`, unary minus, parentheses and
 * `min(a, b, ...)`, `max(a, b, ...)`, `abs(a)`. Parsed here by recursive descent into a tree and
 * compiled into closures; nothing is ever handed to `eval` or `Function`, so a profile cannot run code.
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := '-' unary | primary
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 */
import { ExpressionSyntaxError } from './errors.js';

export type ExpressionFunction = 'min' | 'max' | 'abs';
export type BinaryOperator = '+' | '-' | '*' | '/';

export type Expression =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'signal'; readonly name: string }
  | { readonly kind: 'negate'; readonly operand: Expression }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'call'; readonly fn: ExpressionFunction; readonly args: readonly Expression[] };

/** Longest expression text and deepest nesting accepted: a profile line, never a program. */
export const MAX_EXPRESSION_LENGTH = 1000;
export const MAX_EXPRESSION_DEPTH = 32;

const ARITY: Readonly<Record<ExpressionFunction, { min: number; max: number }>> = {
  min: { min: 2, max: Infinity },
  max: { min: 2, max: Infinity },
  abs: { min: 1, max: 1 },
};

type Token =
  | { readonly type: 'number'; readonly value: number; readonly column: number }
  | { readonly type: 'name'; readonly text: string; readonly column: number }
  | { readonly type: 'op'; readonly text: '+' | '-' | '*' | '/' | '(' | ')' | ','; readonly column: number }
  | { readonly type: 'end'; readonly column: number };

const NUMBER_RE = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const column = i + 1;
    const rest = source.slice(i);
    const number = NUMBER_RE.exec(rest);
    if (number) {
      const value = Number(number[0]);
      if (!Number.isFinite(value)) throw new ExpressionSyntaxError(source, column, `number ${number[0]} is out of range`);
      tokens.push({ type: 'number', value, column });
      i += number[0].length;
      continue;
    }
    const name = NAME_RE.exec(rest);
    if (name) {
      tokens.push({ type: 'name', text: name[0], column });
      i += name[0].length;
      continue;
    }
    if ('+-*/(),'.includes(ch)) {
      tokens.push({ type: 'op', text: ch as '+' | '-' | '*' | '/' | '(' | ')' | ',', column });
      i++;
      continue;
    }
    throw new ExpressionSyntaxError(source, column, `unexpected character ${JSON.stringify(ch)} (use numbers, signal names, + - * /, parentheses, min, max, abs)`);
  }
  tokens.push({ type: 'end', column: source.length + 1 });
  return tokens;
}

const describe = (t: Token): string => (t.type === 'end' ? 'the end' : t.type === 'number' ? `number ${t.value}` : t.type === 'name' ? `"${t.text}"` : `"${t.text}"`);

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #at = 0;
  #depth = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parse(): Expression {
    const e = this.#expr();
    const t = this.#peek();
    if (t.type !== 'end') this.#fail(t, `unexpected ${describe(t)} after a complete expression`);
    return e;
  }

  #peek(): Token {
    return this.#tokens[this.#at] as Token;
  }

  #next(): Token {
    return this.#tokens[this.#at++] as Token;
  }

  #isOp(text: string): boolean {
    const t = this.#peek();
    return t.type === 'op' && t.text === text;
  }

  #fail(t: Token, detail: string): never {
    throw new ExpressionSyntaxError(this.#source, t.column, detail);
  }

  #nested<T>(t: Token, inner: () => T): T {
    if (++this.#depth > MAX_EXPRESSION_DEPTH) this.#fail(t, `nested deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    try {
      return inner();
    } finally {
      this.#depth--;
    }
  }

  #expr(): Expression {
    return this.#leftAssociative('+', '-', () => this.#term());
  }

  #term(): Expression {
    return this.#leftAssociative('*', '/', () => this.#unary());
  }

  /** `operand (op operand)*`, grouped to the left. */
  #leftAssociative(a: BinaryOperator, b: BinaryOperator, operand: () => Expression): Expression {
    let left = operand();
    while (this.#isOp(a) || this.#isOp(b)) {
      const op = (this.#next() as { text: BinaryOperator }).text;
      left = { kind: 'binary', op, left, right: operand() };
    }
    return left;
  }

  #unary(): Expression {
    if (this.#isOp('-')) {
      const t = this.#next();
      return this.#nested(t, () => ({ kind: 'negate', operand: this.#unary() }));
    }
    return this.#primary();
  }

  #primary(): Expression {
    const t = this.#next();
    if (t.type === 'number') return { kind: 'number', value: t.value };
    if (t.type === 'name') return this.#isOp('(') ? this.#call(t) : { kind: 'signal', name: t.text };
    if (t.type === 'op' && t.text === '(') {
      const inner = this.#nested(t, () => this.#expr());
      this.#expect(')', `a ")" to close the "(" at column ${t.column}`);
      return inner;
    }
    return this.#fail(t, t.type === 'end' ? 'the expression ends where a number, a signal or "(" is expected' : `unexpected ${describe(t)} where a number, a signal or "(" is expected`);
  }

  #call(name: Extract<Token, { type: 'name' }>): Expression {
    if (!Object.hasOwn(ARITY, name.text)) this.#fail(name, `unknown function "${name.text}" (the functions are min, max and abs)`);
    const fn = name.text as ExpressionFunction;
    this.#next(); // the "("
    const args = this.#nested(name, () => {
      const list = [this.#expr()];
      while (this.#isOp(',')) {
        this.#next();
        list.push(this.#expr());
      }
      return list;
    });
    this.#expect(')', `"," or ")" in the arguments of ${fn}`);
    const arity = ARITY[fn];
    if (args.length < arity.min || args.length > arity.max) {
      this.#fail(name, `${fn} takes ${arity.max === arity.min ? arity.min : `${arity.min} or more`} argument${arity.min === 1 && arity.max === 1 ? '' : 's'}, not ${args.length}`);
    }
    return { kind: 'call', fn, args };
  }

  #expect(text: string, what: string): void {
    const t = this.#next();
    if (t.type !== 'op' || t.text !== text) this.#fail(t, `expected ${what}, found ${describe(t)}`);
  }
}

/**
 * Parses an expression.
 * @throws {ExpressionSyntaxError} with the 1-based column of the first problem; never anything else.
 */
export function parseExpression(source: string): Expression {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ExpressionSyntaxError(source.slice(0, 40) + '...', MAX_EXPRESSION_LENGTH + 1, `longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (source.trim() === '') throw new ExpressionSyntaxError(source, 1, 'the expression is empty');
  return new Parser(source).parse();
}

/** The signal names an expression reads, in first-use order, each once. */
export function expressionSignals(e: Expression, out: string[] = []): string[] {
  if (e.kind === 'signal') {
    if (!out.includes(e.name)) out.push(e.name);
  } else if (e.kind === 'negate') expressionSignals(e.operand, out);
  else if (e.kind === 'binary') {
    expressionSignals(e.left, out);
    expressionSignals(e.right, out);
  } else if (e.kind === 'call') for (const a of e.args) expressionSignals(a, out);
  return out;
}

/** Values of the signals by name; a name without a number makes the whole expression undefined. */
export type ExpressionInputs = Readonly<Record<string, number | string>>;

/** An expression turned into a function of its inputs (undefined when an input is missing or not a number). */
export type CompiledExpression = (inputs: ExpressionInputs) => number | undefined;

type Node = (inputs: ExpressionInputs) => number;

/** Thrown inside a compiled expression to stop at the first missing input; never escapes. */
const MISSING = Symbol('missing input');

function compileNode(e: Expression): Node {
  switch (e.kind) {
    case 'number': {
      const v = e.value;
      return () => v;
    }
    case 'signal': {
      const name = e.name;
      return (inputs) => {
        const v = inputs[name];
        if (typeof v !== 'number') throw MISSING;
        return v;
      };
    }
    case 'negate': {
      const inner = compileNode(e.operand);
      return (inputs) => -inner(inputs);
    }
    case 'binary': {
      const l = compileNode(e.left);
      const r = compileNode(e.right);
      if (e.op === '+') return (inputs) => l(inputs) + r(inputs);
      if (e.op === '-') return (inputs) => l(inputs) - r(inputs);
      if (e.op === '*') return (inputs) => l(inputs) * r(inputs);
      return (inputs) => l(inputs) / r(inputs);
    }
    case 'call': {
      const args = e.args.map(compileNode);
      if (e.fn === 'abs') {
        const a = args[0] as Node;
        return (inputs) => Math.abs(a(inputs));
      }
      const pick = e.fn === 'min' ? Math.min : Math.max;
      return (inputs) => pick(...args.map((a) => a(inputs)));
    }
  }
}

/**
 * Compiles an expression once; the result evaluates it per message. A division by zero or another
 * non-finite result is undefined too, so the signal goes invalid instead of carrying Infinity.
 */
export function compileExpression(e: Expression): CompiledExpression {
  const root = compileNode(e);
  return (inputs) => {
    try {
      const v = root(inputs);
      return Number.isFinite(v) ? v : undefined;
    } catch (err) {
      if (err === MISSING) return undefined;
      throw err;
    }
  };
}

/** Evaluates an expression once (compile it for repeated use). */
export function evaluateExpression(e: Expression, inputs: ExpressionInputs): number | undefined {
  return compileExpression(e)(inputs);
}

const PRECEDENCE: Readonly<Record<BinaryOperator, number>> = { '+': 1, '-': 1, '*': 2, '/': 2 };
const UNARY_PRECEDENCE = 3;

function precedence(e: Expression): number {
  if (e.kind === 'binary') return PRECEDENCE[e.op];
  return e.kind === 'negate' ? UNARY_PRECEDENCE : 4;
}

/** Source text that parses back into the same tree: parentheses only where the tree needs them. */
export function formatExpression(e: Expression): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'signal':
      return e.name;
    case 'negate': {
      const inner = formatExpression(e.operand);
      return precedence(e.operand) < UNARY_PRECEDENCE ? `-(${inner})` : `-${inner}`;
    }
    case 'binary': {
      const p = PRECEDENCE[e.op];
      const left = formatExpression(e.left);
      const right = formatExpression(e.right);
      // Left-associative: the right operand needs parentheses at equal precedence too.
      return `${precedence(e.left) < p ? `(${left})` : left} ${e.op} ${precedence(e.right) <= p ? `(${right})` : right}`;
    }
    case 'call':
      return `${e.fn}(${e.args.map(formatExpression).join(', ')})`;
  }
}
