// RequestRedirect: answers the request with a redirect whose Location is absolute.
import { z } from 'zod';
import { Port, str } from '../config/fields.js';
import { compilePathModifier, PathModifier, type PathRewriter } from './path.js';
import { filterKind, type RequestStep } from './steps.js';
import type { RequestHead } from './types.js';

const RedirectConfig = z.object({
  scheme: z.enum(['http', 'https']).optional(),
  hostname: str.optional(),
  port: Port.optional(),
  path: PathModifier.optional(),
  statusCode: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]).default(302),
});
type RedirectConfig = z.infer<typeof RedirectConfig>;

export const requestRedirect = filterKind({
  type: 'RequestRedirect',
  schema: z.object({ type: z.literal('RequestRedirect'), requestRedirect: RedirectConfig }),
  compile: (filter) => ({ request: compileRedirect(filter.requestRedirect) }),
});

const WELL_KNOWN_PORT = { http: 80, https: 443 } as const;

export function compileRedirect(cfg: RedirectConfig): RequestStep {
  const rewritePath: PathRewriter | undefined = cfg.path ? compilePathModifier(cfg.path) : undefined;
  const status = cfg.statusCode;
  return (ctx) => {
    const head = ctx.head;
    const scheme = cfg.scheme ?? head.scheme;
    const host = formatHost(cfg.hostname ?? head.host);
    const port = redirectPort(cfg, head);
    const portPart = port === undefined || port === WELL_KNOWN_PORT[scheme] ? '' : `:${port}`;
    const path = rewritePath ? rewritePath(head.path, ctx.matchedPrefix) : head.path;
    return { status, headers: [['location', `${scheme}://${host}${portPart}${path}${head.query}`]] };
  };
}

/**
 * Gateway API port rules: an explicit port wins; a scheme without a port means that scheme's
 * well-known port; neither means the port the client used (the listener port from our side).
 */
function redirectPort(cfg: RedirectConfig, head: RequestHead): number | undefined {
  if (cfg.port !== undefined) return cfg.port;
  if (cfg.scheme !== undefined) return WELL_KNOWN_PORT[cfg.scheme];
  return head.port;
}

/** IPv6 literals need brackets in a URL authority. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
