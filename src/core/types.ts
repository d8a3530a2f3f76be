// Contracts of the pure core: what goes into translate() and what comes out.
// Adapters (files, Kubernetes) build a Snapshot; runtime, render and tests consume a DesiredState.
import type { ProxyConfigInput } from '../../proxy/config/schema.js';

/** Any Kubernetes object as read from YAML or the API server; the translator validates what it reads. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- validated by the translator
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  [key: string]: unknown;
}

/** The whole world the translator sees. Arrays in any order: the translator sorts what it needs. */
export interface Snapshot {
  gatewayClasses: K8sObject[];
  gateways: K8sObject[];
  httpRoutes: K8sObject[];
  grpcRoutes: K8sObject[];
  referenceGrants: K8sObject[];
  namespaces: K8sObject[];
  services: K8sObject[];
  endpointSlices: K8sObject[];
  secrets: K8sObject[];
  /** GatewayClass parameters (parametersRef) and BackendTLSPolicy caCertificateRefs (key ca.crt). */
  configMaps: K8sObject[];
  backendTLSPolicies: K8sObject[];
  listenerSets: K8sObject[];
}

export const SNAPSHOT_KINDS: Record<string, keyof Snapshot> = {
  GatewayClass: 'gatewayClasses',
  Gateway: 'gateways',
  HTTPRoute: 'httpRoutes',
  GRPCRoute: 'grpcRoutes',
  ReferenceGrant: 'referenceGrants',
  Namespace: 'namespaces',
  Service: 'services',
  EndpointSlice: 'endpointSlices',
  Secret: 'secrets',
  ConfigMap: 'configMaps',
  BackendTLSPolicy: 'backendTLSPolicies',
  ListenerSet: 'listenerSets',
};

export function emptySnapshot(): Snapshot {
  return {
    gatewayClasses: [],
    gateways: [],
    httpRoutes: [],
    grpcRoutes: [],
    referenceGrants: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    secrets: [],
    configMaps: [],
    backendTLSPolicies: [],
    listenerSets: [],
  };
}

export interface TranslateOptions {
  /** spec.controllerName of the GatewayClasses we own. */
  controllerName: string;
  /** RFC 3339 time stamped on conditions whose status changed; injected so translate() stays pure. */
  now: string;
  /** Cloudflare tunnel id when known: Gateway addresses and DNS CNAME targets derive from it. */
  tunnelId?: string;
  /** Where cloudflared (in the proxy pod) reaches the proxy: plain HTTP port and loopback TLS port. */
  proxyHttpPort: number;
  proxyTlsPort: number;
  /**
   * The host the proxy's data ports listen on, when it is one address (standalone's --listen host): each
   * Gateway's status then lists "host:port" of its own data port besides the tunnel hostname (ADR 0009).
   */
  dataAddressHost?: string;
  /**
   * Forward to `type: ExternalName` Services (their DNS name, resolved by the proxy). Off by default: whoever
   * may write a Service could otherwise point a route at any name the proxy can reach (CVE-2021-25740).
   */
  externalNameServices?: boolean;
}

export const DEFAULT_CONTROLLER_NAME = 'cloudflare-tunnel-gateway.dev/controller';
/** Gateway address used until the tunnel id is known (documented in docs/architecture.md). */
export const PLACEHOLDER_TUNNEL_HOSTNAME = 'pending.cfargotunnel.com';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export interface ResourceStatus {
  kind: 'GatewayClass' | 'Gateway' | 'ListenerSet' | 'HTTPRoute' | 'GRPCRoute' | 'BackendTLSPolicy';
  /** "" for cluster-scoped kinds. */
  namespace: string;
  name: string;
  // The exact `status` object to write (for routes: every parents[] entry, for policies every ancestors[]
  // entry; other controllers' kept).
  status: Record<string, unknown>;
}

/** One ingress rule of a remotely managed tunnel's configuration (cloudflared's ingress format). */
export interface IngressRule {
  hostname?: string;
  service: string;
  originRequest?: { http2Origin?: boolean; noTLSVerify?: boolean; originServerName?: string };
}

export interface IngressDocument {
  ingress: IngressRule[];
}

export interface DnsRecord {
  /** Hostname, e.g. "app.example.com" or "*.example.com". */
  name: string;
  type: 'CNAME';
  /** "<tunnelId>.cfargotunnel.com" */
  content: string;
  proxied: true;
}

export interface DesiredState {
  statuses: ResourceStatus[];
  proxyConfig: ProxyConfigInput;
  ingress: IngressDocument;
  dns: DnsRecord[];
}
