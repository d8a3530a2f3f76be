// The one tie-break wherever two objects claim one thing (Gateways for data ports and tunnel hostnames,
// ListenerSets for a port and hostname, HTTP/gRPC routes for a listener, BackendTLSPolicies for a Service
// port): older first, then "namespace/name"; a hand-written object without a creationTimestamp is the
// youngest. The BackendTLSPolicy case once counted it as the oldest.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { K8sObject } from '../../src/core/types.js';
import { byAge } from '../../src/gatewayapi/values.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const obj = (namespace: string | undefined, name: string, created?: unknown): K8sObject => ({
  kind: 'X',
  metadata: {
    name,
    ...(namespace && { namespace }),
    ...(created !== undefined && { creationTimestamp: created as string }),
  },
});

describe('byAge', () => {
  it.each<[string, K8sObject, K8sObject]>([
    ['older first', obj('z', 'z', '2026-01-01T00:00:00Z'), obj('a', 'a', '2026-01-02T00:00:00Z')],
    ['same time: namespace/name', obj('a', 'b', '2026-01-01T00:00:00Z'), obj('b', 'a', '2026-01-01T00:00:00Z')],
    ['no timestamp is the youngest', obj('z', 'z', '2099-01-01T00:00:00Z'), obj('a', 'a')],
    [
      'a Date (client-node) reads as its time',
      obj('z', 'z', new Date('2026-01-01T00:00:00Z')),
      obj('a', 'a', '2026-01-02T00:00:00Z'),
    ],
    ['no namespace is "default"', obj('c', 'x'), obj(undefined, 'x')],
  ])('%s', (_, first, second) => {
    expect(byAge(first, second)).toBeLessThan(0);
    expect(byAge(second, first)).toBeGreaterThan(0);
  });
});

describe('BackendTLSPolicy precedence', () => {
  it('a policy without a creationTimestamp loses to one with it, whatever the names say', () => {
    const file = 'conformance-backendtlspolicy-conflict-resolution.in.yaml';
    const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata', file);
    const objects = parseManifests(readFileSync(path, 'utf8'), file);
    // "-1" wins by name at equal times; hand-written without a timestamp it is the youngest and loses.
    const handWritten = objects.find((o) => o.metadata.name === 'conflicted-without-section-name-1')!;
    delete handWritten.metadata.creationTimestamp;
    const { statuses } = translate(toSnapshot(objects).snapshot, TRANSLATE_OPTIONS);
    const accepted = (name: string) =>
      (
        statuses.find((s) => s.kind === 'BackendTLSPolicy' && s.name === name)!.status.ancestors as Array<{
          conditions: Array<{ type: string; reason: string }>;
        }>
      )[0]!.conditions.find((c) => c.type === 'Accepted')!.reason;
    expect(accepted('conflicted-without-section-name-1')).toBe('Conflicted');
    expect(accepted('conflicted-without-section-name-2')).toBe('Accepted');
  });
});
