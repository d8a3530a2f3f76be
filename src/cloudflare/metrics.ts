// Prometheus metrics of the edge adapter, registered on the caller's Registry (or a private one).
import { Counter, Gauge, Registry } from 'prom-client';

export interface EdgeMetrics {
  registry: Registry;
  apiRequests: Counter<'method' | 'resource' | 'status'>;
  errors: Counter<'type'>;
  writes: Counter<'kind'>;
  throttled: Counter;
  lastSuccess: Gauge;
  tokenFailures: Counter<'reason'>;
  tokenDelivered: Gauge;
}

export function createEdgeMetrics(registry: Registry = new Registry()): EdgeMetrics {
  // Reuse metrics already on the registry so two adapters (or a re-created one) can share it.
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    (registry.getSingleMetric(`${PREFIX}${name}`) as Counter<L> | undefined) ??
    new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string): Gauge =>
    (registry.getSingleMetric(`${PREFIX}${name}`) as Gauge | undefined) ??
    new Gauge({ name: `${PREFIX}${name}`, help, registers: [registry] });
  return {
    registry,
    apiRequests: counter('api_requests_total', 'Cloudflare API requests by method, resource and HTTP status', [
      'method',
      'resource',
      'status',
    ]),
    errors: counter('errors_total', 'Edge reconcile failures by type', ['type']),
    writes: counter('writes_total', 'Changes written to Cloudflare by kind', ['kind']),
    throttled: counter('api_client_throttled_total', 'Requests the client-side rate limit delayed or refused', []),
    lastSuccess: gauge('last_success_timestamp_seconds', 'Unix time of the last completed edge reconcile'),
    tokenFailures: counter(
      'tunnel_token_failures_total',
      'Failed deliveries of the tunnel connector token, by reason (not_found, forbidden, client, transient, write)',
      ['reason'],
    ),
    tokenDelivered: gauge(
      'tunnel_token_delivered',
      '1 once the tunnel connector token was handed to its consumer; 0 before, after a refusal, or when nobody asked for it',
    ),
  };
}

/** Every edge metric is tunnel_gateway_cloudflare_*: one prefix for everything this project exports. */
const PREFIX = 'tunnel_gateway_cloudflare_';

/** Low-cardinality resource label from an API path (ids removed). */
export function resourceOf(pathname: string): string {
  const p = pathname.replace(/^.*\/client\/v4/, '');
  if (/\/cfd_tunnel\/[^/]+\/configurations$/.test(p)) return 'tunnel_configuration';
  if (/\/cfd_tunnel\/[^/]+\/token$/.test(p)) return 'tunnel_token';
  if (/\/cfd_tunnel(\/[^/]+)?$/.test(p)) return 'tunnel';
  if (/\/dns_records\/batch$/.test(p)) return 'dns_records_batch';
  if (/\/dns_records(\/[^/]+)?$/.test(p)) return 'dns_record';
  if (/^\/zones(\/[^/]+)?$/.test(p)) return 'zone';
  return 'other';
}
