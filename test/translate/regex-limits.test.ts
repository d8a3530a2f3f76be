// Regex limits of the translator (src/translate/limits.ts): a pattern too big for the proxy's budget drops its
// rule, and a route's rules are kept, in order, only while its regexes stay within the route's instruction
// budget; dropped rules are named in PartiallyInvalid and the rest of the route is served.
import { describe, expect, it } from '@jest/globals';
import { RE2JS } from 're2js';
import {
  REGEX_ESTIMATE_LIMIT,
  REGEX_MAX_PROGRAM_SIZE,
  ROUTE_MAX_REGEXES,
  ROUTE_REGEX_INSTRUCTIONS,
  ROUTE_REGEX_WORK,
} from '../../src/translate/limits.js';
import { regexCompiles } from '../../src/translate/regex-size.js';
import { translate } from '../../src/translate/index.js';
import { oneGatewayWorld, patternOf, TRANSLATE_OPTIONS, type Condition } from './support.js';
import { ProxyConfig } from '../../proxy/config/schema.js';

const options = TRANSLATE_OPTIONS;

function world(kind: 'HTTPRoute' | 'GRPCRoute', rules: unknown[]) {
  return oneGatewayWorld([
    {
      kind,
      metadata: { name: 'r', namespace: 'd' },
      spec: { parentRefs: [{ name: 'g' }], hostnames: ['a.example.com'], rules },
    },
  ]);
}

function conditionsOf(kind: 'HTTPRoute' | 'GRPCRoute', rules: unknown[]) {
  const out = translate(world(kind, rules), options);
  const status = out.statuses.find((s) => s.name === 'r')!.status as { parents: Array<{ conditions: Condition[] }> };
  expect(() => ProxyConfig.parse(out.proxyConfig)).not.toThrow();
  const byType = (t: string) => status.parents[0]!.conditions.find((c) => c.type === t);
  return {
    accepted: byType('Accepted')!,
    partial: byType('PartiallyInvalid'),
    rules: out.proxyConfig.rules.map((r) => r.id),
  };
}

const size = (pattern: string) => RE2JS.compile(pattern).programSize();

describe('regex limits', () => {
  it('measure patterns the way the proxy does', () => {
    expect(size(patternOf(REGEX_MAX_PROGRAM_SIZE))).toBe(REGEX_MAX_PROGRAM_SIZE);
  });

  it('a path regex over the instruction limit drops its rule, and the other rule serves', () => {
    const big = patternOf(REGEX_MAX_PROGRAM_SIZE + 1);
    const { accepted, partial, rules } = conditionsOf('HTTPRoute', [
      { matches: [{ path: { type: 'RegularExpression', value: `/${big}` } }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/ok' } }] },
    ]);
    expect([accepted.status, accepted.reason]).toEqual(['True', 'Accepted']);
    expect(partial?.message).toContain(
      `rule 0: regular expression "/${big}" compiles to ${REGEX_MAX_PROGRAM_SIZE + 2} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
    expect(rules).toEqual(['httproute/d/r/1']);
  });

  it('header and query regexes are held to the same limit; a pattern at the limit is fine', () => {
    const big = patternOf(REGEX_MAX_PROGRAM_SIZE + 1);
    const { partial, rules } = conditionsOf('HTTPRoute', [
      { matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: big }] }] },
      { matches: [{ queryParams: [{ type: 'RegularExpression', name: 'q', value: big }] }] },
      { matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: patternOf(REGEX_MAX_PROGRAM_SIZE) }] }] },
    ]);
    expect(partial?.message).toMatch(/rule 0: .*; rule 1: /);
    expect(rules).toEqual(['httproute/d/r/2']);
  });

  it("a GRPCRoute's composed service/method regex is held to the limit", () => {
    const half = patternOf(Math.ceil(REGEX_MAX_PROGRAM_SIZE / 2) + 4);
    const { accepted } = conditionsOf('GRPCRoute', [
      { matches: [{ method: { type: 'RegularExpression', service: half, method: half } }] },
    ]);
    expect([accepted.status, accepted.reason]).toEqual(['False', 'UnsupportedValue']);
    expect(accepted.message).toContain('RE2 instructions, at most');
  });

  it('counts the regexes a route writes before compiling any, and drops the rules past the count', () => {
    // 64 matches × (a path regex + 8 header regexes) = 576 regexes a rule; the CRDs allow 33,792 a route.
    const rule = (r: number) => ({
      matches: Array.from({ length: 64 }, (_, m) => ({
        path: { type: 'RegularExpression', value: `/r${r}m${m}` },
        headers: Array.from({ length: 8 }, (_, h) => ({
          type: 'RegularExpression',
          name: `x-${h}`,
          value: `v${r}-${m}-${h}`,
        })),
      })),
    });
    const plain = { matches: [{ path: { type: 'PathPrefix', value: '/plain' } }] };
    const { partial, rules } = conditionsOf('HTTPRoute', [rule(0), rule(1), plain]);
    expect(576 * 2).toBeGreaterThan(ROUTE_MAX_REGEXES);
    expect(partial?.message).toBe(
      `dropped invalid rules: rule 1: its regular expressions would bring the route to 1152, at most ${ROUTE_MAX_REGEXES} are allowed per route`,
    );
    expect(rules).toEqual(['httproute/d/r/0', 'httproute/d/r/2']);
  });

  it("keeps rules in order while the route's regexes stay within its budget, drops the rest", () => {
    // 64 matches of a 256-instruction pattern per rule: one rule is 16,384 instructions, the whole budget.
    const perRule = Math.floor(ROUTE_REGEX_INSTRUCTIONS / REGEX_MAX_PROGRAM_SIZE);
    const patterns = (i: number) =>
      Array.from({ length: perRule }, (_, m) => `/r${i}m${m}${patternOf(REGEX_MAX_PROGRAM_SIZE - 8)}`);
    const rule = (i: number) => ({
      matches: patterns(i).map((value) => ({ path: { type: 'RegularExpression', value } })),
    });
    const plain = { matches: [{ path: { type: 'PathPrefix', value: '/plain' } }] };
    const within = patterns(0).reduce((sum, p) => sum + size(p), 0);
    expect(within).toBeLessThanOrEqual(ROUTE_REGEX_INSTRUCTIONS);
    expect(within * 2).toBeGreaterThan(ROUTE_REGEX_INSTRUCTIONS);
    const { accepted, partial, rules } = conditionsOf('HTTPRoute', [rule(0), rule(1), plain, rule(3)]);
    expect([accepted.status, accepted.reason]).toEqual(['True', 'Accepted']);
    expect(partial?.message).toContain(
      `rule 1: its regular expressions would bring the route to ${within * 2} RE2 instructions, at most ${ROUTE_REGEX_INSTRUCTIONS} are allowed per route`,
    );
    expect(partial?.message).toContain('rule 3: ');
    expect(rules).toEqual(['httproute/d/r/0', 'httproute/d/r/2']);
  });

  it('refuses a pattern whose program would be huge without compiling it', () => {
    // 4,095 characters (a header value may have 4,096) that RE2 expands to 585,000 instructions: compiling it
    // took ~1.2 s (and ~46 MB held) before its size could be refused.
    const huge = 'a{1000}'.repeat(585);
    const over = 'a{1000}'.repeat(17); // 17,000 instructions: over the estimate limit too
    const before = regexCompiles();
    const first = conditionsOf('HTTPRoute', [
      { matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: huge }] }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/ok' } }] },
    ]);
    const second = conditionsOf('HTTPRoute', [
      { matches: [{ path: { type: 'RegularExpression', value: `/${over}` } }] },
    ]);
    expect(regexCompiles() - before).toBe(0);
    expect(first.partial?.message).toMatch(/^dropped invalid rules: rule 0: regular expression "a\{1000\}a\{1000\}/);
    expect(first.rules).toEqual(['httproute/d/r/1']);
    expect(second.accepted.message).toBe(
      `no valid rule: rule 0: regular expression "/${over}" would compile to more than ${REGEX_ESTIMATE_LIMIT} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
  });

  it("checks a route's regexes only up to its work limit, and a rule's only up to the first refused", () => {
    // 64 patterns of ~1,000 instructions a rule, each ~2 ms to compile and then refused: all were compiled
    // (1,024 for a route of 16 such rules). Rule 0's estimate fits the route's work limit, rule 1's does not.
    const pattern = (r: number, m: number) => `/r${r}m${m}a{1000}`;
    const rule = (r: number) => ({
      matches: Array.from({ length: 64 }, (_, m) => ({ path: { type: 'RegularExpression', value: pattern(r, m) } })),
    });
    const plain = { matches: [{ path: { type: 'PathPrefix', value: '/plain' } }] };
    const before = regexCompiles();
    const { partial, rules } = conditionsOf('HTTPRoute', [rule(0), rule(1), plain]);
    expect(regexCompiles() - before).toBe(1);
    const [first, second] = partial!.message.replace('dropped invalid rules: ', '').split('; ');
    expect(first).toBe(
      `rule 0: regular expression "${pattern(0, 0)}" compiles to ${size(pattern(0, 0))} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
    expect(second).toMatch(
      new RegExp(
        `^rule 1: checking its regular expressions would bring the route to \\d+ estimated RE2 instructions, at most ${ROUTE_REGEX_WORK} are checked per route$`,
      ),
    );
    expect(rules).toEqual(['httproute/d/r/2']);
  });
});
