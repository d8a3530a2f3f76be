// RE2 programs for route matches, and the per-request bound on what running them may cost.
//
// re2js is linear in the input, but its constant depends on the engine it picks. Its DFA is fast while its
// state cache holds, but a short pattern whose DFA blows up ("[ab]*a[ab]{20}b" on random a/b input) makes it
// build states for every character: ~60-170 ns per program instruction per input character measured, so one
// evaluation on a 4 KiB value takes ~20 ms and a host with thousands of such matches, seconds per request.
// So matches run on re2js's bit-state backtracker (through a Matcher: it asks for the match bounds, which the
// DFA cannot give), whose cost is at most program size × (input length + 1) visited states, ~10 ns each,
// whatever the pattern and input; one-pass and literal programs take their linear fast paths first.
// Every request gets a fixed amount of that work. A cost known before running, so the outcome depends only on
// the config and the request, never on timing: an evaluation that does not fit in what is left is not run
// and counts as not matching. docs/adr/0002-regex-engine-re2js.md has the measurements.
import { RE2JS } from 're2js';

/**
 * Regex work one request may spend, in instruction·characters (~10 ns each on the backtracker: ~1.5 ms).
 * Enough for e.g. 64 evaluations of a 32-instruction pattern on 63-character values. It must stay at most
 * re2js's bit-state limit (262,144 = MAX_BACKTRACK_VECTOR): any evaluation that fits then runs on the
 * backtracker (programs up to 500 instructions), never on the DFA or the slower NFA.
 */
export const REGEX_WORK_PER_REQUEST = 131_072;

export interface CompiledRegex {
  re: RE2JS;
  /** RE2 program size (instructions): what one character of input can cost at worst. */
  size: number;
}

/** What pays for a request's regex evaluations (the request's MatchInput). */
export interface RegexBudget {
  regexWorkLeft: number;
}

/** Full match of `value`, charged to `budget`; false without running when the budget cannot pay for it. */
export function regexMatches(regex: CompiledRegex, value: string, budget: RegexBudget): boolean {
  const cost = regex.size * (value.length + 1);
  if (cost > budget.regexWorkLeft) return false;
  budget.regexWorkLeft -= cost;
  return regex.re.matcher(value).matches();
}

/**
 * Compiled RE2 programs by pattern. Translated configs repeat the same patterns across hosts, and a push
 * usually keeps most of them: one compile per distinct pattern, reused from the previous config.
 */
export class RegexCache {
  private current = new Map<string, CompiledRegex>();
  private previous = new Map<string, CompiledRegex>();
  /** Patterns compiled (not reused) so far: a compile step yields after each, since one can take ms. */
  compiled = 0;

  get(pattern: string): CompiledRegex {
    let regex = this.current.get(pattern);
    if (regex === undefined) {
      regex = this.previous.get(pattern) ?? this.compile(pattern);
      this.current.set(pattern, regex);
    }
    return regex;
  }

  /** Starts a new config: patterns the next one does not use are dropped after it. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  private compile(pattern: string): CompiledRegex {
    const re = RE2JS.compile(pattern);
    this.compiled++;
    return { re, size: re.programSize() };
  }
}
