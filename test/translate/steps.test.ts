// The translator in steps (src/translate/steps.ts): standalone runs it in slices between requests, so what
// one step may cost must stay bounded however regex-heavy the snapshot — at most one fresh RE2 compile —
// and the steps must not redo work: each new pattern compiled once, whatever the route count.
import { createHash } from 'node:crypto';
import { configVersionSteps } from '../../src/translate/config-version.js';
import { describe, expect, it } from '@jest/globals';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { translate, translateSteps } from '../../src/translate/index.js';
import { regexCompiles } from '../../src/translate/regex-size.js';
import { ROUTE_MAX_REGEXES } from '../../src/translate/limits.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';

const options = TRANSLATE_OPTIONS;

const world = oneGatewayWorld;

/** An HTTPRoute on one host with `count` distinct regex matches (path, header, query in turn), 64 per rule. */
function regexRoute(tag: string, name: string, count: number): K8sObject {
  const rules: unknown[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 64 === 0) rules.push({ matches: [] });
    const value = `${tag}${name}-${i}[0-9]+`; // ≤ 16 RE2 instructions: within the route's budget
    const match =
      i % 3 === 0
        ? { path: { type: 'RegularExpression', value: `/${value}` } }
        : { [i % 3 === 1 ? 'headers' : 'queryParams']: [{ type: 'RegularExpression', name: 'x', value }] };
    (rules[rules.length - 1] as { matches: unknown[] }).matches.push(match);
  }
  return {
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'd', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { parentRefs: [{ name: 'g' }], hostnames: ['regex.example.com'], rules },
  };
}

/** Runs the steps to the end, returning the result and the RE2 compiles each step ran. */
function stepThrough(snapshot: Snapshot) {
  const steps = translateSteps(snapshot, options);
  const perStep: number[] = [];
  for (;;) {
    const before = regexCompiles();
    const step = steps.next();
    perStep.push(regexCompiles() - before);
    if (step.done) return { desired: step.value, perStep };
  }
}

const copies = (routes: K8sObject[]) => routes.map((r) => structuredClone(r));

describe('translation in steps', () => {
  it('compiles every new pattern once, at most one per step, and gives what translate() gives', () => {
    const routes = [regexRoute('o', 'a', 200), regexRoute('o', 'b', 200)];
    const grpc: K8sObject = {
      kind: 'GRPCRoute',
      metadata: { name: 'g', namespace: 'd' },
      spec: {
        parentRefs: [{ name: 'g' }],
        hostnames: ['grpc.example.com'],
        rules: [
          { matches: [{ method: { type: 'RegularExpression', service: 'once\\.S[a-z]*', method: 'Get[A-Z]' } }] },
        ],
      },
    };
    const { desired, perStep } = stepThrough(world([...routes, grpc]));
    // 400 HTTP patterns; the gRPC match checks its service, its method and the path regex made of both.
    expect(perStep.reduce((a, b) => a + b, 0)).toBe(400 + 3);
    expect(Math.max(...perStep)).toBe(1);
    expect(desired.proxyConfig.rules.map((r) => r.id)).toContain('grpcroute/d/g/0');
    expect(desired).toEqual(translate(world(copies([...routes, grpc])), options));
  });

  it('does not compile a pattern twice when the snapshot holds more than a cache generation', () => {
    // 12 routes at the per-route regex limit: 12,288 patterns, more than the 10,000 a generation holds.
    const routes = Array.from({ length: 12 }, (_, i) => regexRoute('m', `r${i}`, ROUTE_MAX_REGEXES));
    const { desired, perStep } = stepThrough(world(routes));
    expect(perStep.reduce((a, b) => a + b, 0)).toBe(12 * ROUTE_MAX_REGEXES);
    expect(desired.proxyConfig.rules).toHaveLength(12 * (ROUTE_MAX_REGEXES / 64));
  });

  it('hashes the config in pieces to the digest of its whole JSON text', () => {
    const desired = translate(world([regexRoute('h', 'a', 1_000), regexRoute('h', 'b', 1_000)]), options);
    const { version, ...body } = desired.proxyConfig;
    expect(body.gateways).toBeDefined(); // the Gateways and their ports are hashed too
    expect(body.hosts[0]!.gateway).toBeDefined();
    expect(JSON.stringify(body).length).toBeGreaterThan(2 * (1 << 16)); // several pieces
    expect(version).toBe(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
  });

  it('hashes the access log switch, listener ports and entries without ports as JSON.stringify would', () => {
    const body = {
      listenerPorts: [80],
      rules: [],
      hosts: [{ hostname: 'a.test', matches: [] }],
      accessLog: true,
    };
    const steps = configVersionSteps(body);
    let next = steps.next();
    while (!next.done) next = steps.next();
    expect(next.value).toBe(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
  });
});
