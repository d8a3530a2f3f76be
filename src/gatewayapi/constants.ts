// Gateway API vocabulary, spelled as upstream (apis/v1/*_types.go, v1.6.1 standard channel).

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const CORE_GROUP = '';

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';
export const ROUTE_KINDS: readonly RouteKind[] = ['HTTPRoute', 'GRPCRoute'];

/** Listener protocols we serve: TLS always terminates at Cloudflare's edge, so both are plain HTTP to us. */
export const SUPPORTED_PROTOCOLS = new Set(['HTTP', 'HTTPS']);

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** The ConfigMap key a BackendTLSPolicy caCertificateRef reads. */
export const CA_CERTIFICATE_KEY = 'ca.crt';
export const LABEL_NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/**
 * Features this implementation supports (GatewayClass status.supportedFeatures), spelled as
 * pkg/features upstream, kept sorted. Listener ports (GatewayPort8080, HTTPRouteParentRefPort) are matched
 * on the port in the request's Host header, which cloudflared passes on as the visitor sent it (ADR 0008).
 */
export const SUPPORTED_FEATURES: readonly string[] = [
  // TLS to backends (proxy/forward/tls.ts), with subjectAltNames: the v1.6.1 conformance tests' manifests and
  // request expectations are ported in test/golden and test/e2e/backend-tls-conformance.test.ts.
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
  'GRPCRoute',
  'GRPCRouteNamedRouteRule',
  'GRPCRouteRequestHeaderModifier',
  'Gateway',
  'GatewayHTTPListenerIsolation',
  'GatewayPort8080',
  'HTTPRoute',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteBackendRequestRedirect',
  'HTTPRouteBackendTimeout',
  'HTTPRouteBackendURLRewrite',
  'HTTPRouteCORS',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteParentRefPort',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteRetry',
  'HTTPRouteSchemeRedirect',
  // Every v1.6.1 listenerset-* conformance test is ported (test/golden/testdata/conformance-listenerset-*,
  // test/translate/listenerset-requests.test.ts); ListenerSetAllowedRoutesSupportedKinds also needs TLSRoute,
  // which is not claimed, so the suite skips it.
  'ListenerSet',
  'ReferenceGrant',
]
  .slice()
  .sort();

export const REDIRECT_STATUS_CODES = new Set([301, 302, 303, 307, 308]);
