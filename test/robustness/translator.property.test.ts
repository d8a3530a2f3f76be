// Property tests: whatever Gateway API objects tenants write — valid, edge-case or malformed — the translator
// never throws, always emits a config the proxy accepts, explains every rejection with a spec reason, and is
// deterministic (same input, in any order, gives byte-identical output).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { translate } from '../../src/translate/index.js';
import { ProxyConfig } from '../../proxy/config/schema.js';
import { DEFAULT_CONTROLLER_NAME, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { snapshotArb } from './arbitraries.js';
import { TRANSLATE_OPTIONS } from '../translate/support.js';

const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 't' };
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

// Reasons the Gateway API spec defines for the conditions we write (v1.6.1).
const SPEC_REASONS = new Set([
  'Accepted',
  'InvalidParameters',
  'Unsupported',
  'Pending',
  'SupportedVersion',
  'UnsupportedVersion',
  'Programmed',
  'Invalid',
  'NoResources',
  'AddressNotAssigned',
  'AddressNotUsable',
  'UnsupportedAddress',
  'ListenersNotValid',
  'ListenersNotReady',
  'ResolvedRefs',
  'InvalidCertificateRef',
  'InvalidRouteKinds',
  'RefNotPermitted',
  'HostnameConflict',
  'ProtocolConflict',
  'NoConflicts',
  'UnsupportedProtocol',
  'PortUnavailable',
  'NotAllowedByListeners',
  'NoMatchingListenerHostname',
  'NoMatchingParent',
  'UnsupportedValue',
  'BackendNotFound',
  'InvalidKind',
  'UnsupportedProtocol',
  'PartiallyInvalid',
  'Ready',
  'InvalidClientCertificateRef',
  // ListenerSet (apis/v1/listenerset_types.go)
  'NotAllowed',
  'ParentNotAccepted',
  // BackendTLSPolicy (apis/v1/backendtlspolicy_types.go, policy_types.go)
  'Conflicted',
  'NoValidCACertificate',
  'InvalidCACertificateRef',
  // Ours, which the spec allows ("Controllers may raise this condition with other reasons"): a route's backendRef
  // to a Service port governed by an unusable BackendTLSPolicy, which the spec counts as invalid without a reason.
  'InvalidBackendTLSPolicy',
]);

function shuffled(snapshot: Snapshot, seed: number): Snapshot {
  const rotate = <T>(xs: T[]) =>
    xs.length ? [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)].reverse() : xs;
  return Object.fromEntries(
    Object.entries(snapshot).map(([k, v]) => [k, rotate(v as K8sObject[])]),
  ) as unknown as Snapshot;
}

interface Cond {
  type: string;
  status: string;
  reason: string;
}

function conditionsOf(status: Record<string, unknown>): Cond[] {
  const own = (status.conditions as Cond[] | undefined) ?? [];
  const listeners = ((status.listeners as Array<{ conditions?: Cond[] }> | undefined) ?? []).flatMap(
    (l) => l.conditions ?? [],
  );
  type Entry = { conditions?: Cond[]; controllerName?: string };
  const entries = [
    ...((status.parents as Entry[] | undefined) ?? []),
    ...((status.ancestors as Entry[] | undefined) ?? []),
  ];
  const parents = entries
    .filter((p) => p.controllerName === DEFAULT_CONTROLLER_NAME)
    .flatMap((p) => p.conditions ?? []);
  return [...own, ...listeners, ...parents];
}

describe('translator properties', () => {
  it('never throws and always produces a config the proxy accepts', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const out = translate(snapshot, OPTIONS);
        expect(() => ProxyConfig.parse(out.proxyConfig)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });

  it('gives byte-identical output for the same objects in any order', () => {
    fc.assert(
      fc.property(snapshotArb, fc.nat(50), (snapshot, seed) => {
        const a = JSON.stringify(translate(snapshot, OPTIONS));
        const b = JSON.stringify(translate(shuffled(snapshot, seed + 1), OPTIONS));
        expect(b).toBe(a);
      }),
      { numRuns: RUNS },
    );
  });

  it('does not mutate its input', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const before = JSON.stringify(snapshot);
        translate(snapshot, OPTIONS);
        expect(JSON.stringify(snapshot)).toBe(before);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('explains every False/rejecting condition with a reason the spec defines', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        for (const { status } of translate(snapshot, OPTIONS).statuses) {
          for (const c of conditionsOf(status)) {
            expect(SPEC_REASONS).toContain(c.reason);
            expect(['True', 'False', 'Unknown']).toContain(c.status);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives every route of ours an Accepted condition per parent of ours', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        const out = translate(snapshot, OPTIONS);
        for (const s of out.statuses.filter((x) => x.kind === 'HTTPRoute' || x.kind === 'GRPCRoute')) {
          const parents = ((s.status.parents as Array<{ controllerName: string; conditions: Cond[] }>) ?? []).filter(
            (p) => p.controllerName === DEFAULT_CONTROLLER_NAME,
          );
          for (const p of parents) expect(p.conditions.map((c) => c.type)).toContain('Accepted');
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the generator itself', () => {
  it('reaches deep paths: a fair share of worlds route traffic and reject something', () => {
    const samples = fc.sample(snapshotArb, { numRuns: 300, seed: 42 });
    const outs = samples.map((s) => translate(s, OPTIONS));
    const routing = outs.filter((o) => o.proxyConfig.hosts.some((h) => h.matches.length > 0)).length;
    const rejecting = outs.filter((o) =>
      o.statuses.some((s) => conditionsOf(s.status).some((c) => c.status === 'False')),
    ).length;
    const withListenerSets = outs.filter((o) =>
      o.statuses.some(
        (s) =>
          s.kind === 'ListenerSet' && conditionsOf(s.status).some((c) => c.type === 'Accepted' && c.status === 'True'),
      ),
    ).length;
    expect(routing).toBeGreaterThan(15);
    expect(rejecting).toBeGreaterThan(30);
    expect(withListenerSets).toBeGreaterThan(10);
  });
});
