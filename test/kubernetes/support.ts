// Shared helpers for the Kubernetes adapter tests: polling (never fixed sleeps) and sample objects.
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const GW = 'gateway.networking.k8s.io/v1';

export function gatewayClass(name: string, controllerName = 'cloudflare-tunnel-gateway.dev/controller') {
  return { apiVersion: GW, kind: 'GatewayClass', metadata: { name }, spec: { controllerName } };
}

export function gateway(namespace: string, name: string, className: string) {
  return {
    apiVersion: GW,
    kind: 'Gateway',
    metadata: { namespace, name },
    spec: { gatewayClassName: className, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  };
}

export function httpRoute(namespace: string, name: string, gatewayName: string, service = 'web', port = 80) {
  return {
    apiVersion: GW,
    kind: 'HTTPRoute',
    metadata: { namespace, name },
    spec: { parentRefs: [{ name: gatewayName }], rules: [{ backendRefs: [{ name: service, port }] }] },
  };
}

export function service(namespace: string, name: string, port = 80) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { ports: [{ name: 'http', port, protocol: 'TCP' }] },
  };
}

export function endpointSlice(
  namespace: string,
  service: string,
  addresses: { ip: string; ready: boolean; pod?: string }[],
  port: number,
) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: addresses.map((a) => ({
      addresses: [a.ip],
      conditions: { ready: a.ready, serving: a.ready, terminating: false },
      ...(a.pod ? { targetRef: { kind: 'Pod', namespace, name: a.pod } } : {}),
    })),
  };
}

export function namespace(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
