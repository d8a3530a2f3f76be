// The objects of memo.test.ts's worlds: a GatewayClass, a Gateway, a Service and six routes, and the variants
// of each an edit puts in their place (memo-world.ts).
import { parseManifests } from '../../src/sources/manifests.js';
import { DEFAULT_CONTROLLER_NAME, type K8sObject } from '../../src/core/types.js';
import { createTestCa } from '../support/test-ca.js';
import { TRANSLATE_OPTIONS } from './support.js';

export const OPTIONS = TRANSLATE_OPTIONS;
export const ROUTES = 6;

export const BASE = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cf}
spec: {controllerName: ${DEFAULT_CONTROLLER_NAME}, parametersRef: {kind: ConfigMap, name: params, namespace: app}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec: {gatewayClassName: cf, listeners: [{name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: app}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: app, labels: {kubernetes.io/service-name: api}}
ports: [{name: http, port: 8000}]
endpoints: [{addresses: ["10.0.0.1"]}]
`;

export function route(i: number, variant: number): K8sObject {
  const ns = i % 2 ? 'other' : 'app';
  const backend = variant % 3 === 2 ? 'missing' : 'api';
  // Its own hostname, none (every host key), a wildcard over the others, or one another route may share.
  const hostnames = ['', '', '', '[]', '["*.example.com"]', '[shared.example.com]'][variant] || `[r${i}.example.com]`;
  const text = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r${i}, namespace: ${ns}, creationTimestamp: "2026-01-01T00:00:0${i}Z"}
spec:
  parentRefs: [{name: gw, namespace: app}]
  hostnames: ${hostnames}
  rules:
    - matches: [{path: {type: PathPrefix, value: /v${variant}}}]
      filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-v, value: "${variant}"}]}}]
      backendRefs: [{name: ${backend}, namespace: app, port: 80}]
`;
  return parseManifests(text, 'route.yaml')[0]!;
}

/**
 * A route on r0's hostname attached to the second port only (when the Gateway has one): r0's host entry on
 * both ports splits in two, the first with the same matches as before on fewer ports.
 */
export const altRoute = (): K8sObject =>
  parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: zz-alt, namespace: app, creationTimestamp: "2027-01-01T00:00:00Z"}\nspec: {parentRefs: [{name: gw, sectionName: alt}], hostnames: [r0.example.com], rules: [{matches: [{path: {type: PathPrefix, value: /alt}}], backendRefs: [{name: api, port: 80}]}]}\n`,
    'alt.yaml',
  )[0]!;

export const grant = (): K8sObject =>
  parseManifests(
    'apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g, namespace: app}\nspec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: other}], to: [{group: "", kind: Service}]}\n',
    'grant.yaml',
  )[0]!;

export const CAS = [createTestCa('first').cert, createTestCa('second').cert];

/** A BackendTLSPolicy on the api Service (hostname by variant), or none. */
export const policy = (variant: number): K8sObject =>
  parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1\nkind: BackendTLSPolicy\nmetadata: {name: tls, namespace: app}\nspec: {targetRefs: [{group: "", kind: Service, name: api}], validation: {hostname: h${variant}.example.com, caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]}}\n`,
    'policy.yaml',
  )[0]!;

/** The policy's ConfigMap: one of two CAs, none (unusable policy), or the same CA with an unrelated key changed. */
export const configMap = (ca: number, other: number): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'ca', namespace: 'app' },
  data: { ...(ca < CAS.length ? { 'ca.crt': CAS[ca]! } : {}), other: String(other) },
});

/** The Gateway: listener hostname none or *.example.com, routes from All namespaces or by label, a second port (8080 or 443). */
export const gateway = (variant: number): K8sObject => {
  const hostname = variant % 2 ? ', hostname: "*.example.com"' : '';
  const from = variant % 3 === 2 ? '{from: Selector, selector: {matchLabels: {team: a}}}' : '{from: All}';
  // On 443 (variant 4) the tunnel sends a hostname whose routes differ between the ports to 443.
  const port = variant === 4 ? 443 : 8080;
  // ListenerSets are allowed by the even variants only.
  const listenerSets = variant % 2 ? '' : ', allowedListeners: {namespaces: {from: All}}';
  const second =
    variant >= 3 ? `, {name: alt, protocol: HTTP, port: ${port}, allowedRoutes: {namespaces: {from: All}}}` : '';
  return parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: app}\nspec: {gatewayClassName: cf${listenerSets}, listeners: [{name: http, protocol: HTTP, port: 80${hostname}, allowedRoutes: {namespaces: ${from}}}${second}]}\n`,
    'gateway.yaml',
  )[0]!;
};

/** The GatewayClass's parameters: the proxies' access log on or off. */
export const classParams = (accessLog: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'params', namespace: 'app' },
  data: { accessLog },
});

/** A ListenerSet of gw with one listener on port 80, on one of two hostnames (the odd Gateway variants refuse it). */
export const listenerSet = (hostname: number): K8sObject =>
  parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\nmetadata: {name: ls, namespace: app}\nspec: {parentRef: {name: gw}, listeners: [{name: extra, protocol: HTTP, port: 80, hostname: ls${hostname}.example.com}]}\n`,
    'listenerset.yaml',
  )[0]!;

/** Namespace "other" with or without the label the Selector variant asks for. */
export const namespace = (labelled: boolean): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'other', ...(labelled && { labels: { team: 'a' } }) },
});

export const grpcName = (i: number, wild: boolean) => `g${i}${wild ? 'w' : ''}`;
/**
 * A GRPCRoute on route i's hostname, older or newer than it: HTTP/gRPC cross-serving decides between them; or,
 * `wild`, on *.example.com: every hostname under it then carries a gRPC rule though none of its routes changed.
 */
export const grpcRoute = (i: number, older: boolean, wild = false): K8sObject =>
  parseManifests(
    `apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: ${grpcName(i, wild)}, namespace: app, creationTimestamp: "${older ? '2025' : '2027'}-01-01T00:00:00Z"}\nspec: {parentRefs: [{name: gw, namespace: app}], hostnames: [${wild ? '"*.example.com"' : `r${i}.example.com`}], rules: [{backendRefs: [{name: api, port: 80}]}]}\n`,
    'grpc.yaml',
  )[0]!;

/** The object with a status as a source stores it (file source, API server): a copy, spec and metadata shared. */
export const withStatus = (obj: K8sObject, accepted: boolean): K8sObject => ({
  ...obj,
  status: {
    conditions: [
      {
        type: 'Accepted',
        status: accepted ? 'True' : 'False',
        reason: 'X',
        lastTransitionTime: '2025-05-05T00:00:00Z',
      },
    ],
  },
});

/** Route i as the status writer leaves it: our parent entry with Accepted and ResolvedRefs since 2025. */
export const routeWithStatus = (obj: K8sObject, resolved: boolean): K8sObject => ({
  ...obj,
  status: {
    parents: [
      {
        parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'app', name: 'gw' },
        controllerName: DEFAULT_CONTROLLER_NAME,
        conditions: [
          { type: 'Accepted', status: 'True', reason: 'Accepted', lastTransitionTime: '2025-05-05T00:00:00Z' },
          {
            type: 'ResolvedRefs',
            status: resolved ? 'True' : 'False',
            reason: 'X',
            lastTransitionTime: '2025-05-05T00:00:00Z',
          },
        ],
      },
    ],
  },
});
