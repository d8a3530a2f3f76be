// Starts one echo server per loopback endpoint found in the manifests' EndpointSlices, named after the
// Service, so the demo's backends are whatever the example files describe.
import type { K8sObject } from '../core/types.js';
import { startEchoServer, type EchoServer } from './echo-server.js';

interface DemoEndpoint {
  service: string;
  host: string;
  port: number;
}

export function loopbackEndpoints(objects: K8sObject[]): DemoEndpoint[] {
  const seen = new Map<string, DemoEndpoint>();
  for (const slice of objects.filter((o) => o.kind === 'EndpointSlice')) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'] ?? slice.metadata.name;
    const ports = (slice.ports as Array<{ port?: number }> | undefined) ?? [];
    const endpoints = (slice.endpoints as Array<{ addresses?: string[] }> | undefined) ?? [];
    for (const address of endpoints.flatMap((e) => e.addresses ?? [])) {
      if (!address.startsWith('127.')) continue;
      for (const { port } of ports) {
        if (port) seen.set(`${address}:${port}`, { service, host: address, port });
      }
    }
  }
  return [...seen.values()];
}

export async function startDemoBackends(objects: K8sObject[]): Promise<EchoServer[]> {
  const servers: EchoServer[] = [];
  try {
    for (const ep of loopbackEndpoints(objects)) servers.push(await startEchoServer(ep.service, ep.port, ep.host));
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw new Error(`cannot start a demo backend: ${(err as Error).message} (is another demo running?)`, {
      cause: err,
    });
  }
  return servers;
}
