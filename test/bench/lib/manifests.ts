// Gateway API manifests for the control-plane benches: one Gateway, one Service backed by the nginx
// backend, and as many HTTPRoutes as asked (each one rule, PathPrefix /<prefix>-<i>), all on one host or
// (hostLayout) ROUTES_PER_HOST to a host, as issue 15 lays them out.

export const CP_NAMESPACE = 'bench';
export const CP_HOST = 'cp.bench.local';

export function baseManifests(backendPort: number): string {
  return `apiVersion: v1
kind: Namespace
metadata: { name: ${CP_NAMESPACE} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: bench }
spec: { controllerName: cloudflare-tunnel-gateway.dev/controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: ${CP_NAMESPACE} }
spec:
  gatewayClassName: bench
  listeners: [{ name: http, protocol: HTTP, port: 80, allowedRoutes: { namespaces: { from: Same } } }]
---
apiVersion: v1
kind: Service
metadata: { name: backend, namespace: ${CP_NAMESPACE} }
spec: { ports: [{ name: http, port: 80 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: backend-1, namespace: ${CP_NAMESPACE}, labels: { kubernetes.io/service-name: backend } }
addressType: IPv4
ports: [{ name: http, port: ${backendPort} }]
endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }]
`;
}

export function routeManifest(name: string, path: string, host = CP_HOST): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${CP_NAMESPACE} }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [${host}]
  rules:
    - matches: [{ path: { type: PathPrefix, value: ${path} } }]
      backendRefs: [{ name: backend, port: 80 }]
`;
}

export function routesManifest(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => routeManifest(`${prefix}-${i}`, `/${prefix}-${i}`)).join('---\n');
}

/** Routes per file when a route set is laid out on disk (a change to one of them rewrites its whole file). */
export const ROUTES_PER_FILE = 100;

/** The file that holds route `<prefix>-<index>` when `count` routes are laid out ROUTES_PER_FILE to a file. */
export function routeFileName(prefix: string, index: number): string {
  return `${prefix}-${String(Math.floor(index / ROUTES_PER_FILE)).padStart(4, '0')}.yaml`;
}

/** Routes per hostname in hostLayout: N routes have N/10 hostnames. */
export const ROUTES_PER_HOST = 10;

/** The hostname of route i when routes are spread ROUTES_PER_HOST to a host. */
export function hostLayout(i: number): string {
  return `h${Math.floor(i / ROUTES_PER_HOST)}.${CP_HOST}`;
}

const oneHost = () => CP_HOST;

/** Content of the file that holds route `<prefix>-<index>` (and its neighbours), paths from `pathOf`. */
export function routeFile(
  prefix: string,
  index: number,
  count: number,
  pathOf: (i: number) => string,
  hostOf: (i: number) => string = oneHost,
): string {
  const start = index - (index % ROUTES_PER_FILE);
  const docs: string[] = [];
  for (let i = start; i < Math.min(count, start + ROUTES_PER_FILE); i++)
    docs.push(routeManifest(`${prefix}-${i}`, pathOf(i), hostOf(i)));
  return docs.join('---\n');
}

/** Every file of the layout: name → content. */
export function routeFiles(
  prefix: string,
  count: number,
  pathOf: (i: number) => string,
  hostOf: (i: number) => string = oneHost,
): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < count; i += ROUTES_PER_FILE)
    files.set(routeFileName(prefix, i), routeFile(prefix, i, count, pathOf, hostOf));
  return files;
}
