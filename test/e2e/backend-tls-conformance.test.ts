// The Gateway API v1.6.1 BackendTLSPolicy conformance tests' request expectations, end to end: the golden
// inputs ported from them are translated, their CA ConfigMaps filled with CAs made here (the suite generates
// its own too), every endpoint pointed at one real TLS backend whose certificate that CA signed (as the
// suite's tls-backend), and the requests of each upstream test sent through a real proxy: status, and the SNI
// name the backend saw. Also the suite's reconcile step: the ConfigMap's content changing moves the statuses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { RunningProxy } from '../../proxy/index.js';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { DATA_PORT_ANNOTATION } from '../../src/translate/gateway-ports.js';
import { rows } from '../support/each.js';
import { eventually } from '../support/http.js';
import { createTestCa } from '../support/test-ca.js';
import { startTlsBackend, type TlsBackend, type TlsEcho } from '../support/tls-backend.js';
import { send, startTestProxy } from '../proxy/helpers.js';
import { accepts, freePort } from '../support/ports.js';
import { TRANSLATE_OPTIONS } from '../translate/support.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');
const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 't' };
const ca = createTestCa('tls-checks CA');
const mismatch = createTestCa('mismatch CA');
const NS = 'gateway-conformance-infra';
/** The Gateway each host's requests go to when it is not the suite's default (same-namespace). */
const GATEWAY_OF_HOST: Record<string, string> = { 'https-listener.org': `${NS}/same-namespace-with-https-listener` };

/** The snapshot with the suite's HTTPS-listener Gateway pinned to `port` (ADR 0009's annotation). */
function pinned(snapshot: Snapshot, port: number): Snapshot {
  const gateways = snapshot.gateways.map((g) =>
    g.metadata.name === 'same-namespace-with-https-listener'
      ? {
          ...g,
          metadata: { ...g.metadata, annotations: { ...g.metadata.annotations, [DATA_PORT_ANNOTATION]: String(port) } },
        }
      : g,
  );
  return { ...snapshot, gateways };
}

function snapshotOf(scenario: string): Snapshot {
  const file = `conformance-${scenario}.in.yaml`;
  const { snapshot } = toSnapshot(parseManifests(readFileSync(join(DATA, file), 'utf8'), file));
  return withCa(snapshot, 'tls-checks-ca-certificate', ca.cert);
}

/** The snapshot with a ConfigMap's ca.crt replaced (or the ConfigMap removed: `pem` null). */
function withCa(snapshot: Snapshot, name: string, pem: string | null): Snapshot {
  const others = snapshot.configMaps.filter((c) => c.metadata.name !== name);
  const cm: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS },
    data: { 'ca.crt': pem },
  };
  const configMaps = pem === null ? others : [...others, cm];
  return { ...snapshot, configMaps: name === 'mismatch-ca-certificate' ? configMaps : withMismatch(configMaps) };
}

function withMismatch(configMaps: K8sObject[]): K8sObject[] {
  return configMaps.map((c) =>
    c.metadata.name === 'mismatch-ca-certificate' ? { ...c, data: { 'ca.crt': mismatch.cert } } : c,
  );
}

/** The config with every endpoint pointed at the test backend (the suite's Services all select tls-backend). */
function toBackend(config: ProxyConfigInput, backend: TlsBackend): ProxyConfigInput {
  const rules = config.rules.map((r) => ({
    ...r,
    backends: (r.backends ?? []).map((b) => ({
      ...b,
      endpoints: (b.endpoints ?? []).map(() => ({ address: backend.address, port: backend.port })),
    })),
  }));
  return { ...config, rules };
}

let proxy: RunningProxy;
let backend: TlsBackend;

beforeAll(async () => {
  const pems = ca.issue({
    dns: ['abc.example.com', 'other.example.com'],
    uris: ['spiffe://abc.example.com/test-identity'],
  });
  backend = await startTlsBackend('tls-backend', pems);
  proxy = await startTestProxy();
});

afterAll(async () => {
  await proxy?.close(0);
  await backend?.close();
});

type Expect = [host: string, path: string, status: number, sni?: string];

describe.each<[string, Expect[]]>([
  [
    'backendtlspolicy',
    [
      ['abc.example.com', '/backendtlspolicy', 200, 'abc.example.com'],
      // Re-encrypt: the HTTPS listener's route, TLS again to the backend with the policy's name.
      ['https-listener.org', '/backendtlspolicy', 200, 'abc.example.com'],
      // Upstream sends Host abc.example.org, which no route serves; the right host shows the mismatch itself.
      ['abc.example.org', '/backendtlspolicy-host-mismatch', 404],
      ['abc.example.com', '/backendtlspolicy-host-mismatch', 502],
      ['abc.example.com', '/backendtlspolicy-cert-mismatch', 502],
      ['abc.example.com', '/backendtlspolicy-reconcile-test', 200, 'abc.example.com'],
    ],
  ],
  [
    'backendtlspolicy-san',
    [
      ['abc.example.com', '/backendtlspolicy-san-dns', 200, 'abc.example.com'],
      ['abc.example.com', '/backendtlspolicy-san-dns-mismatch', 502],
      ['abc.example.com', '/backendtlspolicy-san-uri', 200, 'abc.example.com'],
      ['abc.example.com', '/backendtlspolicy-san-uri-mismatch', 502],
      ['abc.example.com', '/backendtlspolicy-multiple-sans', 200, 'abc.example.com'],
      ['abc.example.com', '/backendtlspolicy-multiple-mismatch-sans', 502],
    ],
  ],
  [
    'backendtlspolicy-invalid-ca-certificate-ref',
    [
      ['abc.example.com', '/backendtlspolicy-nonexistent-ca-certificate-ref', 500],
      ['abc.example.com', '/backendtlspolicy-malformed-ca-certificate-ref', 500],
    ],
  ],
  ['backendtlspolicy-invalid-kind', [['abc.example.com', '/backendtlspolicy-invalid-kind', 500]]],
  [
    'backendtlspolicy-conflict-resolution',
    [
      ['abc.example.com', '/backendtlspolicy-conflicted-without-section-name', 200, 'other.example.com'],
      ['abc.example.com', '/backendtlspolicy-conflicted-with-section-name', 200, 'other.example.com'],
      ['abc.example.com', '/backendtlspolicy-not-conflicted-with-section-name', 200, 'other.example.com'],
      ['abc.example.com', '/backendtlspolicy-not-conflicted-without-section-name', 200, 'abc.example.com'],
    ],
  ],
])('conformance %s', (scenario, table) => {
  let config: ProxyConfigInput;
  beforeAll(async () => {
    // Translated for this proxy's own ports: a second Gateway gets the next free ones above them (ADR 0009).
    // The second Gateway's port is pinned to one free now (the next ones above the proxy's own may be taken by
    // another test's process).
    const ports = { proxyHttpPort: proxy.ports.http, proxyTlsPort: proxy.ports.tls ?? OPTIONS.proxyTlsPort };
    config = translate(pinned(snapshotOf(scenario), await freePort()), { ...OPTIONS, ...ports }).proxyConfig;
    expect(proxy.applyConfig(toBackend(config, backend))).toEqual({ ok: true, version: config.version });
    // The Gateways' own listeners open after the swap.
    for (const g of config.gateways ?? []) if (g.port !== undefined) await eventually(() => accepts(g.port!), 5_000);
  });

  // Every row as long as the test's arity (jest would take a missing last argument for a done callback).
  const padded = rows(table.map(([host, path, status, sni]) => [host, path, status, sni ?? null] as const));
  it.each(padded)('%s%s → %d', async (host, path, status, sni) => {
    // As the suite does: each request to the address of the Gateway its test names.
    const scope = config.gateways?.find((g) => g.name === GATEWAY_OF_HOST[host]);
    const res = await send(scope?.port ?? proxy.ports.http, host, path);
    expect(res.status).toBe(status);
    if (sni !== null) expect(res.json<TlsEcho>()).toMatchObject({ path, sni });
  });
});

describe('conformance backendtlspolicy: a CA ConfigMap changing is reconciled', () => {
  type Cond = { type: string; status: string; reason: string };
  /** reconcile-test's conditions on the same-namespace Gateway. */
  function conditions(snapshot: Snapshot): Array<[string, string, string]> {
    const status = translate(snapshot, OPTIONS).statuses.find((s) => s.name === 'reconcile-test')!.status;
    const ancestors = status.ancestors as Array<{ ancestorRef: { name: string }; conditions: Cond[] }>;
    const entry = ancestors.find((a) => a.ancestorRef.name === 'same-namespace')!;
    return entry.conditions.map((c) => [c.type, c.status, c.reason]);
  }
  const VALID: Array<[string, string, string]> = [
    ['Accepted', 'True', 'Accepted'],
    ['ResolvedRefs', 'True', 'ResolvedRefs'],
  ];
  const INVALID: Array<[string, string, string]> = [
    ['Accepted', 'False', 'NoValidCACertificate'],
    ['ResolvedRefs', 'False', 'InvalidCACertificateRef'],
  ];

  it('follows the ConfigMap: missing, present, emptied, restored', () => {
    const base = snapshotOf('backendtlspolicy');
    const policies = base.backendTLSPolicies.map((p) =>
      p.metadata.name === 'reconcile-test'
        ? {
            ...p,
            metadata: { ...p.metadata, generation: 2 },
            spec: {
              ...p.spec,
              validation: {
                ...p.spec.validation,
                caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'tls-checks-ca-certificate-reconcile-test' }],
              },
            },
          }
        : p,
    );
    const patched = { ...base, backendTLSPolicies: policies };
    const name = 'tls-checks-ca-certificate-reconcile-test';
    expect(conditions(patched)).toEqual(INVALID);
    expect(conditions(withCa(patched, name, ca.cert))).toEqual(VALID);
    expect(conditions(withCa(patched, name, ''))).toEqual(INVALID);
    expect(conditions(withCa(patched, name, ca.cert))).toEqual(VALID);
  });
});
