// A namespaced object without a namespace is in "default", as kubectl apply would put it. The loaders default
// it (withDefaultNamespace), but translate() is a library function a caller may give objects no loader saw:
// every lookup must treat a left-out namespace and "default" alike (a route found its Service, a Service its
// EndpointSlices, a listener its Secret, a policy its ConfigMap only when both sides spelled it the same way).
// Oracle: each golden world moved whole into "default", spelled out, left out or empty, translates the same.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');
const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 'tunnel-1' };
const CLUSTER_SCOPED = new Set(['gatewayClasses', 'namespaces']);

/** The snapshot with every namespaced object's metadata.namespace set by `place` (undefined: left out). */
function placed(snapshot: Snapshot, place: (obj: K8sObject) => string | undefined): Snapshot {
  const entries = Object.entries(snapshot).map(([kind, objects]: [string, K8sObject[]]) => {
    if (CLUSTER_SCOPED.has(kind)) return [kind, objects];
    return [kind, objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: place(o) } }))];
  });
  return Object.fromEntries(entries) as Snapshot;
}

const worlds = readdirSync(DATA)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort()
  .map((f) => [f, toSnapshot(parseManifests(readFileSync(join(DATA, f), 'utf8'), f)).snapshot] as const);

describe('objects without a namespace', () => {
  it.each(worlds)('%s moved into "default" translates the same with the namespace left out', (_file, world) => {
    const spelledOut = translate(
      placed(world, () => 'default'),
      OPTIONS,
    );
    const leftOut = translate(
      placed(world, () => undefined),
      OPTIONS,
    );
    expect(leftOut).toEqual(spelledOut);
    // An empty namespace is none too (the API server and kubectl read it so).
    expect(
      translate(
        placed(world, () => ''),
        OPTIONS,
      ),
    ).toEqual(spelledOut);
  });

  it('serves a route through its Service and EndpointSlice, all three without a namespace', () => {
    // The Gateway stays in "infra" (its listener admits routes from all namespaces); the rest leave theirs out.
    const text = readFileSync(join(DATA, 'route-endpoints.in.yaml'), 'utf8');
    const snapshot = toSnapshot(parseManifests(text, 'route-endpoints')).snapshot;
    const world = placed(snapshot, (o) => (o.kind === 'Gateway' ? o.metadata.namespace : undefined));
    const { proxyConfig } = translate(world, OPTIONS);
    const endpoints = proxyConfig.rules.flatMap((r) => (r.backends ?? []).flatMap((b) => b.endpoints ?? []));
    expect(endpoints).toContainEqual(expect.objectContaining({ address: '10.0.3.1', port: 8080 }));
  });
});
