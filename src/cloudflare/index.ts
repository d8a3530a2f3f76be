// The Cloudflare edge: what the runtime wires in. See docs/cloudflare.md.
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { createCloudflareEdge, type CloudflareEdge } from './edge.js';
import type { EdgeParameters } from './params.js';

export { createCloudflareEdge, type CloudflareEdge, type CloudflareEdgeOptions, type EdgeStats } from './edge.js';
export {
  validateEdgeParameters,
  DEFAULT_TOKEN_SECRET_KEY,
  type EdgeParameters,
  type SecretKeyRef,
  type ValidationResult,
} from './params.js';
export { MANAGED_BY, ownerComment, isOurs } from './dns-plan.js';
export { derivedTunnelName, ownerTag, DEFAULT_TUNNEL_NAME } from './tunnel.js';
export { CLOUDFLARE_BUDGET, type TokenBucketOptions } from './token-bucket.js';
export { tokenFileWriter } from './token-file.js';

/** Standalone wiring: `--cloudflare-api-url URL --account-id ID --tunnel-id ID` plus CLOUDFLARE_API_TOKEN.
 * Hidden knob (tests, impatient demos): CLOUDFLARE_EDGE_RESYNC_MS sets how often Cloudflare is re-read and
 * the edge re-reconciled while in sync (default 5 min). */
export function cloudflareEdgeFromFlags(flags: {
  cloudflareApiUrl?: string;
  accountId: string;
  tunnelId?: string;
  ownerId?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  registry?: Registry;
  onTunnelToken?: (token: string) => Promise<void>;
}): CloudflareEdge {
  const env = flags.env ?? process.env;
  const apiToken = env.CLOUDFLARE_API_TOKEN;
  if (!apiToken) throw new Error('CLOUDFLARE_API_TOKEN is not set: the Cloudflare edge needs an API token');
  const resyncMs = Number(env.CLOUDFLARE_EDGE_RESYNC_MS);
  return createCloudflareEdge({
    apiToken,
    accountId: flags.accountId,
    tunnelId: flags.tunnelId ?? 'create',
    baseURL: flags.cloudflareApiUrl,
    ownerId: flags.ownerId ?? 'standalone',
    logger: flags.logger,
    registry: flags.registry,
    onTunnelToken: flags.onTunnelToken,
    ...(Number.isInteger(resyncMs) && resyncMs > 0 ? { rereadIntervalMs: resyncMs } : {}),
  });
}

/** Kubernetes wiring: validated GatewayClass parameters + the API token read from tokenSecretRef. */
export function cloudflareEdgeFromParameters(
  params: EdgeParameters,
  deps: {
    apiToken: string;
    ownerId: string;
    baseURL?: string;
    logger?: Logger;
    registry?: Registry;
    onTunnelToken?: (token: string) => Promise<void>;
  },
): CloudflareEdge {
  return createCloudflareEdge({
    apiToken: deps.apiToken,
    accountId: params.accountId,
    tunnelId: params.tunnelId,
    tunnelName: params.tunnelName,
    zoneHints: params.zoneHints,
    ownTunnel: params.ownTunnel,
    ownerId: deps.ownerId,
    baseURL: deps.baseURL,
    logger: deps.logger,
    registry: deps.registry,
    onTunnelToken: deps.onTunnelToken,
  });
}
