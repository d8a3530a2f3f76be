// Verdicts (the translator's statuses) for the model walks: small, hand-built, covering accepted /
// rejected, a spec change (observedGeneration), a same-spec refresh (attachedRoutes) and the problems an
// accepted resource's conditions can show (conflicted, unresolved references, partially invalid).
import type { Condition, ResourceStatus } from '../../src/core/types.js';

export const cond = (type: string, ok: boolean, reason: string, generation: number): Condition => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message: `${type} ${ok ? 'ok' : 'not ok'}`,
  observedGeneration: generation,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

/** The listener a Gateway verdict adds next to its valid "http" one: none, or one with a problem. */
export type ExtraListener = 'none' | 'unsupported' | 'conflicted' | 'unresolved';

function extraListener(kind: ExtraListener, spec: number) {
  const listener = (name: string, conditions: Condition[]) => ({
    name,
    attachedRoutes: 0,
    supportedKinds: [],
    conditions,
  });
  // An invalid listener stays Programmed=False whatever the actor's phase.
  if (kind === 'unsupported')
    return [
      listener('tcp', [
        cond('Accepted', false, 'UnsupportedProtocol', spec),
        cond('Programmed', false, 'Invalid', spec),
      ]),
    ];
  if (kind === 'conflicted')
    return [
      listener('dup', [
        cond('Accepted', true, 'Accepted', spec),
        cond('Conflicted', true, 'HostnameConflict', spec),
        cond('Programmed', false, 'Invalid', spec),
      ]),
    ];
  if (kind === 'unresolved')
    return [
      listener('https', [
        cond('Accepted', true, 'Accepted', spec),
        cond('ResolvedRefs', false, 'InvalidCertificateRef', spec),
        cond('Programmed', false, 'Invalid', spec),
      ]),
    ];
  return [];
}

export function gatewayVerdict(opts: {
  accepted: boolean;
  spec: number;
  attached?: number;
  listener?: ExtraListener;
}): ResourceStatus {
  const { accepted, spec } = opts;
  return {
    kind: 'Gateway',
    namespace: 'ns',
    name: 'gw',
    status: {
      conditions: [
        cond('Accepted', accepted, accepted ? 'Accepted' : 'Invalid', spec),
        cond('Programmed', accepted, accepted ? 'Programmed' : 'Invalid', spec),
      ],
      listeners: [
        {
          name: 'http',
          attachedRoutes: opts.attached ?? 0,
          supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          conditions: [
            cond('Accepted', true, 'Accepted', spec),
            cond('Programmed', accepted, accepted ? 'Programmed' : 'Invalid', spec),
          ],
        },
        ...extraListener(opts.listener ?? 'unsupported', spec),
      ],
      addresses: [{ type: 'Hostname', value: 'tunnel-1.cfargotunnel.com' }],
    },
  };
}

export function routeVerdict(opts: {
  accepted: boolean;
  spec: number;
  resolved?: boolean;
  partial?: boolean;
  /** Attached through ListenerSet ns/gw rather than Gateway ns/gw. */
  listenerSet?: boolean;
}): ResourceStatus {
  const { accepted, spec } = opts;
  const kind = opts.listenerSet ? 'ListenerSet' : 'Gateway';
  return {
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: 'web',
    status: {
      parents: [
        {
          parentRef: { group: 'gateway.networking.k8s.io', kind, namespace: 'ns', name: 'gw' },
          controllerName: 'cloudflare-tunnel-gateway.dev/controller',
          conditions: [
            cond('Accepted', accepted, accepted ? 'Accepted' : 'NotAllowedByListeners', spec),
            cond(
              'ResolvedRefs',
              opts.resolved ?? true,
              opts.resolved === false ? 'BackendNotFound' : 'ResolvedRefs',
              spec,
            ),
            // One rule the proxy would refuse was dropped; the rest is served.
            ...(opts.partial ? [cond('PartiallyInvalid', true, 'UnsupportedValue', spec)] : []),
          ],
        },
      ],
    },
  };
}

export function classVerdict(accepted: boolean, spec = 1): ResourceStatus {
  return {
    kind: 'GatewayClass',
    namespace: '',
    name: 'cloudflare',
    status: {
      conditions: [
        cond('Accepted', accepted, accepted ? 'Accepted' : 'InvalidParameters', spec),
        cond('SupportedVersion', true, 'SupportedVersion', spec),
      ],
    },
  };
}

/** A BackendTLSPolicy verdict: one ancestors[] entry of ours, Accepted or not (e.g. Conflicted). */
export function policyVerdict(accepted: boolean, spec = 1): ResourceStatus {
  return {
    kind: 'BackendTLSPolicy',
    namespace: 'ns',
    name: 'tls',
    status: {
      ancestors: [
        {
          ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name: 'gw' },
          controllerName: 'cloudflare-tunnel-gateway.dev/controller',
          conditions: [
            cond('Accepted', accepted, accepted ? 'Accepted' : 'Conflicted', spec),
            cond('ResolvedRefs', true, 'ResolvedRefs', spec),
          ],
        },
      ],
    },
  };
}

/** Stable comparison of statuses that ignores lastTransitionTime (written times are the runtime's job). */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === 'lastTransitionTime') return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, v[k]]),
      );
    return v;
  });
}
