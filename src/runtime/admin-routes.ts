// Extra admin routes of a process that runs the control plane: /debug/actors (JSON), the live debug page
// under /debug/, and /status (standalone: the status of every resource, as the status writer last wrote it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunningProxy } from '../../proxy/index.js';
import type { ControlPlane } from './control-plane.js';
import type { FileSource } from '../sources/files.js';
import { debugActorsHandler } from '../debug/handler.js';
import { handleDebugRequest, type DebugSource } from '../debug-page/routes.js';
import { MACHINES } from '../../machines/index.js';
import { machineGraph } from '../debug/machine-graph.js';
import { mermaidIds, toMermaid } from '../debug/diagrams.js';

export function debugSource(controlPlane: ControlPlane): DebugSource {
  let diagrams: ReturnType<DebugSource['machines']> | undefined;
  return {
    actors: () => controlPlane.inspect(),
    subscribe: (listener) => controlPlane.onChange(listener),
    machines: () =>
      (diagrams ??= Object.fromEntries(
        Object.entries(MACHINES).map(([id, machine]) => {
          const graph = machineGraph(machine);
          return [id, { mermaid: toMermaid(graph), ids: mermaidIds(graph) }];
        }),
      )),
  };
}

export function mountAdminRoutes(
  proxy: Pick<RunningProxy, 'addAdminRoute'>,
  controlPlane: ControlPlane,
  source?: FileSource,
): void {
  proxy.addAdminRoute('GET', '/debug/actors', debugActorsHandler(controlPlane));
  const page = debugSource(controlPlane);
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (!handleDebugRequest(page, req, res)) res.writeHead(404).end();
  };
  proxy.addAdminRoute('GET', '/debug', serve);
  proxy.addAdminRoute('GET', '/debug/', serve);
  if (source) proxy.addAdminRoute('GET', '/status', statusHandler(source));
}

function statusHandler(source: FileSource) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    const s = source.snapshot();
    const kinds = [s.gatewayClasses, s.gateways, s.listenerSets, s.httpRoutes, s.grpcRoutes, s.backendTLSPolicies];
    const statuses = kinds
      .flat()
      .filter((o) => o.status)
      .map((o) => ({ kind: o.kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name, status: o.status }));
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ statuses }, null, 2));
  };
}
