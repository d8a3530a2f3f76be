// ListenerSets (src/translate/listener-sets.ts) through translate(): which sets are ours, how their
// listeners are judged against the Gateway's and older sets' (only accepted listeners of attached sets take a
// port and hostname), the messages a set's status gives, and the Gateway's attachedListenerSets count.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS, conditionOf, type Condition } from './support.js';

type Listener = { name: string; protocol: string; port: number; hostname?: string; allowedRoutes?: unknown };

const ALLOW_ALL = { namespaces: { from: 'All' } };

/** A Gateway `d/g`; `allowedListeners` null: the field left out (no ListenerSet allowed). */
function gateway(listeners: Listener[], allowedListeners: unknown = ALLOW_ALL): K8sObject {
  return {
    kind: 'Gateway',
    metadata: { name: 'g', namespace: 'd' },
    spec: { gatewayClassName: 'c', listeners, ...(allowedListeners !== null && { allowedListeners }) },
  };
}

function listenerSet(name: string, day: number, listeners: Listener[], parentRef: object = { name: 'g' }): K8sObject {
  return {
    kind: 'ListenerSet',
    metadata: { name, namespace: 'd', creationTimestamp: `2026-01-0${day}T00:00:00Z` },
    spec: { parentRef, listeners },
  };
}

function translated(gw: K8sObject, sets: K8sObject[], routes: K8sObject[] = []) {
  const s = emptySnapshot();
  s.httpRoutes.push(...routes);
  s.gatewayClasses.push({
    kind: 'GatewayClass',
    metadata: { name: 'c' },
    spec: { controllerName: DEFAULT_CONTROLLER_NAME },
  });
  s.gateways.push(gw);
  s.listenerSets.push(...sets);
  const out = translate(s, TRANSLATE_OPTIONS);
  const statusOf = (kind: string, name: string) => out.statuses.find((x) => x.kind === kind && x.name === name)?.status;
  return {
    gateway: statusOf('Gateway', 'g')!,
    /** A set's own conditions, or undefined when the translator wrote no status for it (not ours). */
    /** A route's Accepted condition on its first parent, and how many rules the proxy serves. */
    route: (name: string) => ({
      accepted: condition(
        (statusOf('HTTPRoute', name)!.parents as Array<{ conditions: Condition[] }>)[0]!.conditions,
        'Accepted',
      ),
      rules: out.proxyConfig.rules.length,
    }),
    set: (name: string) => statusOf('ListenerSet', name)?.conditions as Condition[] | undefined,
    /** The conditions of a set's listener by name. */
    listener: (set: string, listener: string) =>
      (statusOf('ListenerSet', set)!.listeners as Array<{ name: string; conditions: Condition[] }>).find(
        (l) => l.name === listener,
      )!.conditions,
  };
}

const condition = conditionOf;
const http = (name: string, port: number, hostname?: string): Listener => ({
  name,
  protocol: 'HTTP',
  port,
  ...(hostname !== undefined && { hostname }),
});

describe('ListenerSets', () => {
  it('takes only sets whose parentRef names a Gateway of the Gateway API group', () => {
    const t = translated(gateway([http('own', 80)]), [
      listenerSet('other-kind', 1, [http('a', 81)], { kind: 'Service', name: 'g' }),
      listenerSet('other-group', 1, [http('a', 82)], { group: 'example.com', name: 'g' }),
      listenerSet('explicit', 1, [http('a', 83)], { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }),
      listenerSet('unknown-gateway', 1, [http('a', 84)], { name: 'nope' }),
    ]);
    expect(t.set('other-kind')).toBeUndefined();
    expect(t.set('other-group')).toBeUndefined();
    expect(t.set('unknown-gateway')).toBeUndefined();
    expect(condition(t.set('explicit')!, 'Accepted').status).toBe('True');
    expect(t.gateway.attachedListenerSets).toBe(1);
  });

  it("judges a set's listeners only against the Gateway's accepted listeners", () => {
    // The Gateway's TCP listener is not accepted (unsupported): it takes port 80 from nobody.
    const t = translated(gateway([{ name: 'tcp', protocol: 'TCP', port: 80 }, http('own', 81)]), [
      listenerSet('s', 1, [http('a', 80), http('b', 81)]),
    ]);
    expect(condition(t.listener('s', 'a'), 'Conflicted').status).toBe('False');
    expect(condition(t.listener('s', 'b'), 'Conflicted')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
  });

  it('counts a listener without a hostname as taking every hostname of its port', () => {
    const t = translated(gateway([http('own', 80)]), [listenerSet('s', 1, [http('a', 80), http('b', 80, 'x.test')])]);
    expect(condition(t.listener('s', 'a'), 'Conflicted')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
    expect(condition(t.listener('s', 'b'), 'Conflicted').status).toBe('False');
  });

  it('lets a set that is not attached take no port or hostname from a newer set', () => {
    // The older set's only listener is accepted but carries no route kind we serve: the set is not attached.
    const tcpOnly = { ...http('a', 80, 'x.test'), allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] } };
    const t = translated(gateway([http('own', 81)]), [
      listenerSet('older', 1, [tcpOnly]),
      listenerSet('newer', 2, [http('a', 80, 'x.test')]),
    ]);
    expect(condition(t.set('older')!, 'Accepted')).toMatchObject({ status: 'False', reason: 'ListenersNotValid' });
    expect(condition(t.listener('newer', 'a'), 'Conflicted').status).toBe('False');
    expect(condition(t.set('newer')!, 'Accepted').status).toBe('True');
    expect(t.gateway.attachedListenerSets).toBe(1);
  });

  it('serves no route through a set that is not attached, even on a listener that could carry it', () => {
    // HTTPS with a missing certificate: accepted and routable, not programmed; the set's only listener.
    const https = {
      name: 'a',
      protocol: 'HTTPS',
      port: 443,
      hostname: 'x.test',
      tls: { certificateRefs: [{ name: 'no' }] },
    };
    const route = {
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'd' },
      spec: { parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'detached' }] },
    };
    const t = translated(gateway([http('own', 80)]), [listenerSet('detached', 1, [https as Listener])], [route]);
    expect(condition(t.set('detached')!, 'Accepted').reason).toBe('ListenersNotValid');
    expect(t.route('r')).toMatchObject({ accepted: { status: 'False', reason: 'NoMatchingParent' }, rules: 0 });
  });

  it('names every invalid listener of a set', () => {
    const t = translated(gateway([http('own', 80, 'x.test')]), [
      listenerSet('none-valid', 1, [http('a', 80, 'x.test'), { name: 'b', protocol: 'UDP', port: 82 }]),
      listenerSet('some-valid', 2, [http('a', 80, 'x.test'), { name: 'b', protocol: 'UDP', port: 82 }, http('c', 83)]),
      listenerSet('empty', 3, []),
    ]);
    expect(condition(t.set('none-valid')!, 'Accepted').message).toBe('no valid listeners (invalid: a, b)');
    expect(condition(t.set('some-valid')!, 'Accepted')).toMatchObject({
      status: 'True',
      reason: 'ListenersNotValid',
      message: 'invalid listeners: a, b',
    });
    expect(condition(t.set('empty')!, 'Accepted').message).toBe('ListenerSet has no listeners');
  });

  it('shows the attached count on a Gateway that allows ListenerSets, even when none is attached', () => {
    expect(translated(gateway([http('own', 80)]), []).gateway.attachedListenerSets).toBe(0);
    expect(translated(gateway([http('own', 80)], null), []).gateway).not.toHaveProperty('attachedListenerSets');
    // A Gateway that does not allow them still counts the sets that name it: none attached.
    const refused = translated(gateway([http('own', 80)], null), [listenerSet('s', 1, [http('a', 81)])]);
    expect(refused.gateway.attachedListenerSets).toBe(0);
    expect(condition(refused.set('s')!, 'Accepted').reason).toBe('NotAllowed');
  });

  it('says "(any)" for a hostname-less listener whose port and hostname an older listener took', () => {
    const t = translated(gateway([http('own', 80)]), [listenerSet('s', 1, [http('a', 80)])]);
    expect(condition(t.listener('s', 'a'), 'Conflicted').message).toBe(
      'hostname (any) on port 80 is already taken by a listener of higher precedence on Gateway d/g',
    );
  });

  it("keeps the conflict of a set's own twin listeners rather than the taken port's", () => {
    const t = translated(gateway([http('own', 80, 'x.example.com')]), [
      listenerSet('s', 1, [http('a', 80, 'x.example.com'), http('b', 80, 'x.example.com')]),
    ]);
    expect(condition(t.listener('s', 'a'), 'Conflicted').message).toBe('listener b has the same port and hostname');
  });
});
