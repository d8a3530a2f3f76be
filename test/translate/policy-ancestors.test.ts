// A BackendTLSPolicy's status.ancestors holds at most 16 entries (the CRD's limit): a policy used through more
// Gateways reports the first 16 in namespace and name order, and the API server would refuse a longer list.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type Snapshot } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(n - i).padStart(2, '0')}`);

/** One route attached to `gateways` Gateways, forwarding to a Service a BackendTLSPolicy governs. */
function world(gateways: string[]): Snapshot {
  const s = emptySnapshot();
  s.gatewayClasses.push({ metadata: { name: 'c' }, spec: { controllerName: DEFAULT_CONTROLLER_NAME } });
  for (const name of gateways) {
    s.gateways.push({
      metadata: { name, namespace: 'app' },
      spec: { gatewayClassName: 'c', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
  }
  s.httpRoutes.push({
    metadata: { name: 'web', namespace: 'app' },
    spec: { parentRefs: gateways.map((name) => ({ name })), rules: [{ backendRefs: [{ name: 'svc', port: 443 }] }] },
  });
  s.services.push({ metadata: { name: 'svc', namespace: 'app' }, spec: { ports: [{ name: 'https', port: 443 }] } });
  s.backendTLSPolicies.push({
    metadata: { name: 'pol', namespace: 'app' },
    spec: {
      targetRefs: [{ group: '', kind: 'Service', name: 'svc' }],
      validation: { hostname: 'svc.example.com', wellKnownCACertificates: 'System' },
    },
  });
  return s;
}

function ancestorNames(gateways: string[]): unknown[] {
  const policy = translate(world(gateways), TRANSLATE_OPTIONS).statuses.find((s) => s.kind === 'BackendTLSPolicy');
  const ancestors = (policy?.status.ancestors ?? []) as Array<{ ancestorRef: { name: string } }>;
  return ancestors.map((a) => a.ancestorRef.name);
}

describe('BackendTLSPolicy ancestors', () => {
  it('lists every Gateway up to 16, in name order', () => {
    expect(ancestorNames(names(16))).toEqual([...names(16)].sort());
  });

  it('lists the first 16 in name order when the policy is used through 17 Gateways', () => {
    expect(ancestorNames(names(17))).toEqual([...names(17)].sort().slice(0, 16));
  });
});
