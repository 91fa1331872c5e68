/**
 * Tokenizer for DBC text. One pass over the string, tokens produced on demand, every token carrying
 * its line and column so a parse error can point at the exact place.
 *
 * DBC needs only four token kinds: identifiers (`BO_`, `Vector__XXX`, `m12M`), numbers (`-3.4E+038`),
 * strings (`"..."`, may span lines, `\"` escapes a quote) and single punctuation characters
 * (`: ; | @ ( ) [ ] , + -`). A sign directly followed by a digit is part of a number; a lone sign
 * (`@1+`, `@0-`) is punctuation.
 */
import { DbcParseError, quoteInput, type SourceLocation } from '../errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier or punctuation text; the unescaped content of a string; the source text of a number. */
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

const enum Ch {
  Tab = 9,
  Lf = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Backslash = 92,
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= Ch.Zero && c <= Ch.Nine);
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

export class DbcLexer {
  readonly #text: string;
  readonly #file: string | undefined;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #peeked: Token | undefined;

  constructor(text: string, file?: string) {
    this.#text = text;
    this.#file = file;
  }

  get file(): string | undefined {
    return this.#file;
  }

  /** The next token without consuming it. */
  peek(): Token {
    this.#peeked ??= this.#scan();
    return this.#peeked;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const t = this.peek();
    this.#peeked = undefined;
    return t;
  }

  location(t: Token): SourceLocation {
    return { ...(this.#file === undefined ? {} : { file: this.#file }), line: t.line, column: t.column, offset: t.offset };
  }

  /** @throws {DbcParseError} naming the token's place and what was expected there. */
  fail(t: Token, expected: string): never {
    const found = t.kind === 'eof' ? 'end of file' : t.kind === 'string' ? `string ${quoteInput(t.text)}` : quoteInput(t.text);
    throw new DbcParseError(this.location(t), `expected ${expected}, found ${found}`);
  }

  #skipSpace(): void {
    const s = this.#text;
    for (;;) {
      const c = s.charCodeAt(this.#pos);
      if (c === Ch.Space || c === Ch.Tab || c === Ch.Cr) {
        this.#pos++;
      } else if (c === Ch.Lf) {
        this.#pos++;
        this.#line++;
        this.#lineStart = this.#pos;
      } else if (c === Ch.Slash && s.charCodeAt(this.#pos + 1) === Ch.Slash) {
        // `//` line comments appear in hand-edited files; DBC tools accept them.
        while (this.#pos < s.length && s.charCodeAt(this.#pos) !== Ch.Lf) this.#pos++;
      } else if (c === 0xfeff) {
        this.#pos++; // a byte-order mark left in by an editor
      } else {
        return;
      }
    }
  }

  #scan(): Token {
    this.#skipSpace();
    const s = this.#text;
    const start = this.#pos;
    const line = this.#line;
    const column = start - this.#lineStart + 1;
    if (start >= s.length) return { kind: 'eof', text: '', line, column, offset: start };
    const c = s.charCodeAt(start);
    if (isIdentStart(c)) {
      let p = start + 1;
      while (isIdentPart(s.charCodeAt(p))) p++;
      this.#pos = p;
      return { kind: 'ident', text: s.slice(start, p), line, column, offset: start };
    }
    const n1 = s.charCodeAt(start + 1);
    if (isDigit(c) || ((c === Ch.Minus || c === Ch.Plus) && (isDigit(n1) || (n1 === Ch.Dot && isDigit(s.charCodeAt(start + 2))))) || (c === Ch.Dot && isDigit(n1))) {
      return this.#number(start, line, column);
    }
    if (c === Ch.Quote) return this.#string(start, line, column);
    this.#pos = start + 1;
    return { kind: 'punct', text: s[start] as string, line, column, offset: start };
  }

  #number(start: number, line: number, column: number): Token {
    const s = this.#text;
    let p = start;
    if (s.charCodeAt(p) === Ch.Minus || s.charCodeAt(p) === Ch.Plus) p++;
    while (isDigit(s.charCodeAt(p))) p++;
    if (s.charCodeAt(p) === Ch.Dot) {
      p++;
      while (isDigit(s.charCodeAt(p))) p++;
    }
    const e = s.charCodeAt(p);
    if (e === 69 || e === 101) {
      let q = p + 1;
      if (s.charCodeAt(q) === Ch.Plus || s.charCodeAt(q) === Ch.Minus) q++;
      if (isDigit(s.charCodeAt(q))) {
        while (isDigit(s.charCodeAt(q))) q++;
        p = q;
      }
    }
    this.#pos = p;
    return { kind: 'number', text: s.slice(start, p), line, column, offset: start };
  }

  #string(start: number, line: number, column: number): Token {
    const s = this.#text;
    let p = start + 1;
    let out = '';
    let chunk = p;
    for (;;) {
      if (p >= s.length) {
        throw new DbcParseError(
          { ...(this.#file === undefined ? {} : { file: this.#file }), line, column, offset: start },
          'string is never closed (expected a closing ")',
        );
      }
      const c = s.charCodeAt(p);
      if (c === Ch.Quote) break;
      if (c === Ch.Backslash && (s.charCodeAt(p + 1) === Ch.Quote || s.charCodeAt(p + 1) === Ch.Backslash)) {
        out += s.slice(chunk, p);
        chunk = p + 1;
        p += 2;
        continue;
      }
      if (c === Ch.Lf) {
        this.#line++;
        this.#lineStart = p + 1;
      }
      p++;
    }
    out += s.slice(chunk, p);
    this.#pos = p + 1;
    return { kind: 'string', text: out, line, column, offset: start };
  }
}
