// The RE2 program size of a route's pattern, which the translator's limits are stated in (limits.ts). Only
// compiling gives it exactly, and compiling costs ~2 µs per instruction of the program it builds: a pattern
// of a few characters can build hundreds of thousands ("a{1000}" repeated). So the size is first estimated
// from the text the way RE2's parser estimates it (calcSize: repetitions multiply what they repeat), and a
// pattern estimated over REGEX_ESTIMATE_LIMIT is refused without compiling. The estimate is never below the
// compiled size, and close to it: exactly 2 over where RE2 neither simplifies nor factors, one more for each
// loop that may run zero times, and more only where RE2 factors alternations of literals sharing a prefix or
// folds empty and nested repetitions (test/translate/regex-size.test.ts checks each on random patterns).
import { RE2JS } from 're2js';
import type { Steps } from '../core/steps.js';
import { REGEX_ESTIMATE_LIMIT, REGEX_MAX_PROGRAM_SIZE } from './limits.js';

export type RegexSize =
  | { kind: 'compiled'; size: number }
  | { kind: 'invalid' }
  /** Estimated over REGEX_ESTIMATE_LIMIT: not compiled. */
  | { kind: 'too big'; estimate: number };

const INVALID: RegexSize = { kind: 'invalid' };

/**
 * Sizes by pattern (a pure function's cache: routes repeat patterns, syncs repeat routes), in two
 * generations of up to SIZES_PER_GENERATION, so that what warmRegexSteps just sized for a rule is still
 * there when the rule is translated.
 */
let sizes = new Map<string, RegexSize>();
let olderSizes = new Map<string, RegexSize>();
const SIZES_PER_GENERATION = 10_000;
let compiles = 0;

export function regexSize(pattern: string): RegexSize {
  let size = sizes.get(pattern);
  if (size === undefined) {
    size = olderSizes.get(pattern) ?? measure(pattern);
    if (sizes.size >= SIZES_PER_GENERATION) {
      olderSizes = sizes;
      sizes = new Map();
    }
    sizes.set(pattern, size);
  }
  return size;
}

/** True when the translator refuses the pattern (not RE2, or over REGEX_MAX_PROGRAM_SIZE). */
export function refused(size: RegexSize): boolean {
  return size.kind !== 'compiled' || size.size > REGEX_MAX_PROGRAM_SIZE;
}

function measure(pattern: string): RegexSize {
  const estimate = estimatedProgramSize(pattern);
  if (estimate > REGEX_ESTIMATE_LIMIT) return { kind: 'too big', estimate };
  compiles++;
  try {
    return { kind: 'compiled', size: RE2JS.compile(pattern).programSize() };
  } catch {
    return INVALID;
  }
}

/** RE2 compiles run so far (tests check which patterns are compiled, and that none is compiled twice). */
export function regexCompiles(): number {
  return compiles;
}

/**
 * Sizes a rule's patterns (in the order its translation checks them) ahead of that translation, yielding
 * after each compile (up to a few ms each); stops at the first refused pattern, where the translation stops.
 */
export function* warmRegexSteps(patterns: readonly string[]): Steps<void> {
  for (const pattern of patterns) {
    const known = sizes.has(pattern) || olderSizes.has(pattern);
    const size = regexSize(pattern);
    if (!known && size.kind !== 'too big') yield;
    if (refused(size)) return;
  }
}

/** Counts above this are not RE2 (which allows 1,000): the estimate need not grow past it. */
const MAX_COUNT = 1001;
/** An estimate this big is refused whatever it is exactly; capping it keeps the arithmetic finite. */
const HUGE = 1e15;

interface Cursor {
  text: string;
  at: number;
  /** Characters of a "\Q...\E" literal before its last, which is the atom a quantifier after it repeats. */
  literalBefore: number;
  depth: number;
}

/** RE2 refuses expressions nested deeper; deeper groups are not looked into (the estimate says too big). */
const MAX_DEPTH = 1000;

/**
 * An upper bound of the RE2 program size of `pattern`: RE2's calcSize over a light parse (groups, classes,
 * escapes, quantifiers), plus the instructions every program has. Not a validator: anything RE2 refuses to
 * parse gets some estimate, and compiling it then fails quickly.
 */
export function estimatedProgramSize(pattern: string): number {
  const c: Cursor = { text: pattern, at: 0, literalBefore: 0, depth: 0 };
  let size = alternation(c);
  // An unmatched ")" is an error RE2 reports; the rest of the text still counts.
  while (c.at < c.text.length) {
    c.at++;
    size += alternation(c);
  }
  return Math.min(HUGE, size + 4); // capture 0 (2), match, fail
}

/** "a|b|c" up to an unmatched ")" or the end: the alternatives plus an instruction between each two. */
function alternation(c: Cursor): number {
  let total = 0;
  let sequence = 0;
  let last = 0;
  while (c.at < c.text.length && c.text[c.at] !== ')') {
    if (c.text[c.at] === '|') {
      total += Math.max(1, sequence) + 1;
      sequence = 0;
      last = 0;
      c.at++;
      continue;
    }
    const size = atom(c);
    const before = c.literalBefore;
    c.literalBefore = 0;
    // A flags-only group adds nothing, and RE2 applies a quantifier after it to the term before it.
    const term = quantified(c, size ?? last);
    sequence = Math.min(HUGE, sequence + before + term - (size === undefined ? last : 0));
    last = term;
  }
  return Math.min(HUGE, total + Math.max(1, sequence));
}

/** One atom's size: a group (undefined for a flags-only group such as "(?i)"), a class, an escape or a character. */
function atom(c: Cursor): number | undefined {
  const { text, at } = c;
  if (text[at] === '(') return group(c);
  if (text[at] === '[') {
    skipClass(c);
    return 1;
  }
  if (text[at] === '\\') return escape(c);
  c.at += 1;
  return 1;
}

function group(c: Cursor): number | undefined {
  const rest = c.text.slice(c.at, c.at + 64);
  const flags = /^\(\?[a-zA-Z-]*\)/.exec(rest);
  if (flags) {
    c.at += flags[0].length;
    return undefined;
  }
  // Non-capturing "(?:" / "(?i:"; lookarounds; captures "(?P<n>", "(?<n>", "(" (anything else counts as one).
  const open =
    /^\(\?[a-zA-Z-]*:/.exec(rest) ?? /^\(\?<?[=!]/.exec(rest) ?? /^\(\?P?<\w*>/.exec(rest) ?? /^\(\??/.exec(rest)!;
  const capturing = !open[0].endsWith(':');
  c.at += open[0].length;
  if (c.depth === MAX_DEPTH) {
    c.at = c.text.length;
    return HUGE;
  }
  c.depth++;
  const inner = alternation(c);
  c.depth--;
  if (c.text[c.at] === ')') c.at++;
  return capturing ? inner + 2 : inner;
}

/** Skips "[...]": a "]" right after "[" or "[^" is literal; "[:alpha:]" and escapes do not end it. */
function skipClass(c: Cursor): void {
  const { text } = c;
  let i = c.at + 1;
  if (text[i] === '^') i++;
  if (text[i] === ']') i++;
  while (i < text.length && text[i] !== ']') {
    if (text[i] === '\\') i += 2;
    else if (text.startsWith('[:', i) && /^\[:\^?[a-z]+:\]/.test(text.slice(i, i + 16))) i = text.indexOf(':]', i) + 2;
    else i++;
  }
  c.at = i + 1;
}

/** "\Q...\E" is a literal of its characters; "\p{Greek}", "\x{263a}", "\pL", "\123", "\d" are one each. */
function escape(c: Cursor): number {
  const { text } = c;
  const kind = text[c.at + 1];
  if (kind === 'Q') {
    const end = text.indexOf('\\E', c.at + 2);
    const literal = (end === -1 ? text.length : end) - (c.at + 2);
    c.at = end === -1 ? text.length : end + 2;
    c.literalBefore = Math.max(0, literal - 1);
    return 1;
  }
  if ((kind === 'p' || kind === 'P' || kind === 'x') && text[c.at + 2] === '{') {
    const end = text.indexOf('}', c.at + 3);
    c.at = end === -1 ? text.length : end + 1;
  } else if (kind === 'p' || kind === 'P') {
    c.at += 3;
  } else if (kind === 'x') {
    c.at += 4;
  } else if (kind !== undefined && kind >= '0' && kind <= '7') {
    c.at += 2 + /^[0-7]{0,2}/.exec(text.slice(c.at + 2, c.at + 4))![0].length;
  } else {
    c.at += 2;
  }
  return 1;
}

const COUNTED = /^\{(\d+)(,(\d*))?\}/;

/** The atom's size under the quantifiers that follow it ("*", "+", "?", "{n}", "{n,}", "{n,m}", each maybe lazy). */
function quantified(c: Cursor, size: number): number {
  for (;;) {
    const op = c.text[c.at];
    if (op === '*' || op === '+' || op === '?') {
      size = (op === '*' ? 2 : 1) + size;
      c.at++;
    } else if (op === '{' && COUNTED.test(c.text.slice(c.at, c.at + 24))) {
      const [whole, min, comma, max] = COUNTED.exec(c.text.slice(c.at, c.at + 24))!;
      size = repeated(size, count(min!), comma === undefined ? count(min!) : max ? count(max) : -1);
      c.at += whole.length;
    } else {
      return size;
    }
    if (c.text[c.at] === '?') c.at++; // lazy
  }
}

function count(digits: string): number {
  return Math.min(MAX_COUNT, Number(digits));
}

/** calcSize of x{min,max} (max -1: unbounded): RE2 writes x min times, then the optional copies or a loop. */
function repeated(sub: number, min: number, max: number): number {
  if (max === -1) return Math.min(HUGE, min === 0 ? 2 + sub : 1 + min * sub);
  if (max === 0) return 1;
  return Math.min(HUGE, max * sub + Math.max(0, max - min));
}
