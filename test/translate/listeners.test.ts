// A Gateway's listeners (src/translate/listeners.ts) through translate(): the names, kinds and certificate
// messages a user reads in status.listeners, and which listeners conflict.
import { describe, expect, it } from '@jest/globals';
import { TLS_KEYPAIR_ANNOTATION } from '../../src/core/tls-keypair.js';
import type { K8sObject } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { conditionOf, oneGatewayWorld, TRANSLATE_OPTIONS, type Condition } from './support.js';

type ListenerStatus = { name: string; conditions: Condition[] };

function listenersOf(listeners: unknown[], secrets: K8sObject[] = []): ListenerStatus[] {
  const s = oneGatewayWorld([]);
  s.gateways[0] = { ...s.gateways[0]!, spec: { gatewayClassName: 'c', listeners } };
  s.secrets.push(...secrets);
  const gw = translate(s, TRANSLATE_OPTIONS).statuses.find((x) => x.kind === 'Gateway')!;
  return gw.status.listeners as ListenerStatus[];
}

const condition = (l: ListenerStatus, type: string) => conditionOf(l.conditions, type);

describe('Gateway listeners', () => {
  it('a listener without a name is reported by its place', () => {
    const [first, second] = listenersOf([
      { protocol: 'HTTP', port: 80 },
      { protocol: 'HTTP', port: 81 },
    ]);
    expect([first!.name, second!.name]).toEqual(['listener-0', 'listener-1']);
  });

  it.each<[string, string]>([
    ['HTTP', 'gateway.networking.k8s.io/'],
    ['TCP', 'gateway.networking.k8s.io/'],
  ])('on %s, a route kind entry without a kind is named %s in the message', (protocol, named) => {
    const [l] = listenersOf([{ name: 'l', protocol, port: 80, allowedRoutes: { kinds: [{}] } }]);
    expect(condition(l!, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'InvalidRouteKinds' });
    expect(condition(l!, 'ResolvedRefs').message).toBe(`unsupported route kinds: ${named}`);
  });

  it('two listeners on one port, both without a hostname, are both Conflicted', () => {
    const listeners = listenersOf([
      { name: 'a', protocol: 'HTTP', port: 80 },
      { name: 'b', protocol: 'HTTP', port: 80 },
    ]);
    expect(listeners.map((l) => condition(l, 'Conflicted').reason)).toEqual(['HostnameConflict', 'HostnameConflict']);
  });

  it('an HTTP listener’s tls block is not read: its certificate references are not checked', () => {
    const [l] = listenersOf([
      { name: 'l', protocol: 'HTTP', port: 80, tls: { certificateRefs: [{ name: 'missing' }] } },
    ]);
    expect(condition(l!, 'ResolvedRefs')).toMatchObject({ status: 'True' });
    expect(condition(l!, 'Programmed')).toMatchObject({ status: 'True' });
  });

  it('a certificateRef without a name names an empty Secret in its message', () => {
    const [l] = listenersOf([{ name: 'l', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{}] } }]);
    expect(condition(l!, 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'InvalidCertificateRef',
      message: 'Secret d/ does not exist',
    });
  });

  it.each<[string, string, string]>([
    ['the source found the pair valid', 'valid', 'True'],
    ['the source found a problem', 'has a certificate that does not match its key', 'False'],
  ])('a Secret whose key pair %s: the listener says so', (_what, verdict, resolved) => {
    const secret: K8sObject = {
      kind: 'Secret',
      metadata: { name: 'cert', namespace: 'd', annotations: { [TLS_KEYPAIR_ANNOTATION]: verdict } },
      type: 'kubernetes.io/tls',
    };
    const [l] = listenersOf(
      [{ name: 'l', protocol: 'HTTPS', port: 443, tls: { certificateRefs: [{ name: 'cert' }] } }],
      [secret],
    );
    expect(condition(l!, 'ResolvedRefs').status).toBe(resolved);
    if (resolved === 'False') expect(condition(l!, 'ResolvedRefs').message).toBe(`Secret d/cert ${verdict}`);
  });
});
