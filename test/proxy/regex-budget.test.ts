// The per-request regex budget (proxy/router/regex.ts): every evaluation costs program size × (value length
// + 1), known before it runs; what does not fit is not run and counts as not matching. Deterministic, so these
// tests count, they do not time.
import { describe, expect, it } from '@jest/globals';
import { RE2JS } from 're2js';
import { compileMatch, matches, RequestMatchInput } from '../../proxy/router/match.js';
import { REGEX_WORK_PER_REQUEST, RegexCache, regexMatches } from '../../proxy/router/regex.js';
import { firstMatch } from '../../proxy/router/select.js';
import { compileHostEntry } from '../../proxy/router/table.js';
import type { CompiledRule } from '../../proxy/router/table.js';

const PATTERN = '/[a-z]+/[0-9]+';
const SIZE = RE2JS.compile(PATTERN).programSize();
const rule = (id: string) => ({ id }) as CompiledRule;

describe('regex budget', () => {
  it('charges program size × (length + 1) per evaluation', () => {
    const regex = new RegexCache().get(PATTERN);
    expect(regex.size).toBe(SIZE);
    const budget = { regexWorkLeft: 10_000 };
    expect(regexMatches(regex, '/abc/123', budget)).toBe(true);
    expect(budget.regexWorkLeft).toBe(10_000 - SIZE * 9);
  });

  it('does not run an evaluation the budget cannot pay for, and charges nothing for it', () => {
    const regex = new RegexCache().get(PATTERN);
    const value = '/abc/123';
    const budget = { regexWorkLeft: SIZE * (value.length + 1) - 1 };
    expect(regexMatches(regex, value, budget)).toBe(false);
    expect(budget.regexWorkLeft).toBe(SIZE * (value.length + 1) - 1);
  });

  it('runs an evaluation that costs exactly what is left, leaving nothing', () => {
    const regex = new RegexCache().get(PATTERN);
    const value = '/abc/123';
    const budget = { regexWorkLeft: SIZE * (value.length + 1) };
    expect(regexMatches(regex, value, budget)).toBe(true);
    expect(budget.regexWorkLeft).toBe(0);
  });

  it('a value too long for the whole budget never matches a regex, an Exact match still does', () => {
    const longPath = `/${'a'.repeat(Math.ceil(REGEX_WORK_PER_REQUEST / SIZE))}/1`;
    const regex = compileMatch({ path: { type: 'RegularExpression', value: PATTERN } }, 'r');
    const exact = compileMatch({ path: { type: 'Exact', value: longPath } }, 'e');
    expect(RE2JS.compile(PATTERN).matches(longPath)).toBe(true);
    expect(matches(regex, new RequestMatchInput('GET', longPath, {}, ''))).toBe(false);
    expect(matches(exact, new RequestMatchInput('GET', longPath, {}, ''))).toBe(true);
  });

  it('once a request spent its budget on a host, later regex matches do not match, later plain ones do', () => {
    const path = '/abc/123';
    const perEvaluation = SIZE * (path.length + 1);
    const affordable = Math.floor(REGEX_WORK_PER_REQUEST / perEvaluation);
    // `affordable` regexes that fail on the method, one that would match, then a prefix.
    const failing = Array.from({ length: affordable }, () => ({
      match: { path: { type: 'RegularExpression' as const, value: PATTERN }, method: 'PUT' },
      rule: 0,
    }));
    const host = {
      hostname: 'a.test',
      matches: [
        ...failing,
        { match: { path: { type: 'RegularExpression' as const, value: PATTERN } }, rule: 1 },
        { match: { path: { type: 'PathPrefix' as const, value: '/' } }, rule: 2 },
      ],
    };
    const entry = compileHostEntry(host, [rule('failing'), rule('regex'), rule('prefix')], new RegexCache());
    expect(firstMatch(entry, new RequestMatchInput('GET', path, {}, ''))?.rule.id).toBe('prefix');
    // One failing regex fewer: the matching one is paid for. Each request starts with the whole budget.
    const shorter = compileHostEntry(
      { ...host, matches: host.matches.slice(1) },
      [rule('failing'), rule('regex'), rule('prefix')],
      new RegexCache(),
    );
    expect(firstMatch(shorter, new RequestMatchInput('GET', path, {}, ''))?.rule.id).toBe('regex');
    expect(firstMatch(shorter, new RequestMatchInput('GET', path, {}, ''))?.rule.id).toBe('regex');
  });

  it('header and query regexes are charged to the same budget', () => {
    const m = compileMatch(
      {
        headers: [{ type: 'RegularExpression', name: 'x', value: '[a-z]+' }],
        queryParams: [{ type: 'RegularExpression', name: 'q', value: '[0-9]+' }],
      },
      'r',
    );
    const input = new RequestMatchInput('GET', '/', { x: 'abc' }, '?q=12');
    const before = input.regexWorkLeft;
    expect(matches(m, input)).toBe(true);
    expect(before - input.regexWorkLeft).toBe(
      RE2JS.compile('[a-z]+').programSize() * 4 + RE2JS.compile('[0-9]+').programSize() * 3,
    );
  });

  it('stays within the bit-state backtracker limit, so a fitting evaluation never runs on the DFA', () => {
    expect(REGEX_WORK_PER_REQUEST).toBeLessThanOrEqual(262_144);
  });
});

describe('regex cache', () => {
  it('compiles each distinct pattern once and counts the compiles', () => {
    const cache = new RegexCache();
    const first = cache.get(PATTERN);
    expect(cache.compiled).toBe(1);
    expect(cache.get(PATTERN)).toBe(first);
    cache.get('[a-z]+');
    expect(cache.compiled).toBe(2);
  });

  it('reuses a pattern from the previous config, and drops one the next config did not ask for', () => {
    const cache = new RegexCache();
    const kept = cache.get(PATTERN);
    cache.get('dropped');
    cache.rotate();
    expect(cache.get(PATTERN)).toBe(kept);
    expect(cache.compiled).toBe(2);
    cache.rotate();
    expect(cache.get(PATTERN)).toBe(kept);
    const recompiled = cache.get('dropped');
    expect(cache.compiled).toBe(3);
    expect(recompiled.size).toBe(RE2JS.compile('dropped').programSize());
  });
});
