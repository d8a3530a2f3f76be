// RequestMirror: the config names a resolved backend; the chain only hands the target to the forwarder,
// which tees the (already modified) request to it (proxy/forward/mirror.ts) with pools the routing table
// resolved (proxy/router/table.ts).
import { z } from 'zod';
import { BackendTls, CONFIG_LIMITS, Endpoint, str } from '../config/fields.js';
import { filterKind } from './steps.js';

/** Where mirrored traffic goes: a resolved backend (endpoints only; no filters, no weights). */
export const MirrorTarget = z.object({
  name: str,
  endpoints: z.array(Endpoint).max(CONFIG_LIMITS.endpointsPerBackend),
  protocol: z.enum(['http1', 'h2c']).default('http1'),
  percent: z.number().min(0).max(100).default(100),
  tls: BackendTls.optional(),
});
export type ProxyMirrorTarget = z.infer<typeof MirrorTarget>;

export const requestMirror = filterKind({
  type: 'RequestMirror',
  schema: z.object({ type: z.literal('RequestMirror'), requestMirror: MirrorTarget }),
  // A 0 % mirror never fires; leaving it out keeps the forwarder's loop to real targets.
  compile: (filter) => (filter.requestMirror.percent > 0 ? { mirror: filter.requestMirror } : {}),
});
