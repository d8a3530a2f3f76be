// CORS (HTTPCORSFilter, Gateway API v1.6.1). A preflight (OPTIONS + Origin + Access-Control-Request-Method)
// is answered here; an actual request from an allowed origin gets its CORS headers on the response.
// With allowCredentials, a configured `*` is never sent back: the concrete origin/method/headers are echoed.
import { z } from 'zod';
import { str } from '../config/fields.js';
import { addVary, firstHeader, setHeader } from './headers.js';
import { compileOriginMatcher } from './cors-origin.js';
import { filterKind, type CompiledStep } from './steps.js';
import type { FilterContext, HeaderList, ImmediateResponse } from './types.js';

const CorsConfig = z.object({
  allowOrigins: z.array(str).max(64).default([]),
  allowCredentials: z.boolean().default(false),
  allowMethods: z.array(z.string().max(32)).max(32).default([]),
  allowHeaders: z.array(z.string().max(256)).max(64).default([]),
  exposeHeaders: z.array(z.string().max(256)).max(64).default([]),
  maxAge: z.number().int().min(0).default(5),
});
type CorsConfig = z.infer<typeof CorsConfig>;

export const cors = filterKind({
  type: 'CORS',
  schema: z.object({ type: z.literal('CORS'), cors: CorsConfig }),
  compile: (filter) => compileCors(filter.cors),
});

/** A preflight from an allowed origin, and (per the spec) one from any other origin, is answered with this. */
export const PREFLIGHT_STATUS = 204;

const ALLOW_ORIGIN = 'access-control-allow-origin';

export function compileCors(cfg: CorsConfig): CompiledStep {
  const isAllowed = compileOriginMatcher(cfg.allowOrigins);
  const credentials = cfg.allowCredentials;
  const anyOrigin = cfg.allowOrigins.includes('*');
  const methods = listOrWildcard(cfg.allowMethods);
  const allowHeaders = listOrWildcard(cfg.allowHeaders);
  const expose = listOrWildcard(cfg.exposeHeaders);
  const maxAge = String(cfg.maxAge);

  const allowOriginValue = (origin: string): string => (anyOrigin && !credentials ? '*' : origin);
  /** Headers every CORS response to an allowed origin carries (preflight and actual). */
  const commonHeaders = (origin: string): HeaderList => {
    const out: HeaderList = [[ALLOW_ORIGIN, allowOriginValue(origin)]];
    if (credentials) out.push(['access-control-allow-credentials', 'true']);
    // `*` means "all" only without credentials; with them the names are listed from the response.
    if (expose !== undefined && !(expose === '*' && credentials)) out.push(['access-control-expose-headers', expose]);
    return out;
  };

  const preflight = (ctx: FilterContext, origin: string, requestMethod: string): ImmediateResponse => {
    const headers: HeaderList = [];
    if (isAllowed(origin)) {
      headers.push(...commonHeaders(origin));
      const allowMethods = echoWildcard(methods, requestMethod, credentials);
      if (allowMethods) headers.push(['access-control-allow-methods', allowMethods]);
      const requested = firstHeader(ctx.head.headers, 'access-control-request-headers');
      const allowHeadersValue = echoWildcard(allowHeaders, requested, credentials);
      if (allowHeadersValue) headers.push(['access-control-allow-headers', allowHeadersValue]);
      headers.push(['access-control-max-age', maxAge]);
    }
    addVary(headers, 'Origin');
    return { status: PREFLIGHT_STATUS, headers };
  };

  return {
    request(ctx) {
      const origin = firstHeader(ctx.head.headers, 'origin');
      if (origin === undefined) return undefined;
      const requestMethod = firstHeader(ctx.head.headers, 'access-control-request-method');
      if (ctx.head.method === 'OPTIONS' && requestMethod !== undefined) return preflight(ctx, origin, requestMethod);
      if (isAllowed(origin)) (ctx.responseHeaders ??= []).push(...commonHeaders(origin));
      return undefined;
    },
    response(ctx, _status, headers) {
      const cors = ctx.responseHeaders;
      const allowedOrigin = cors !== undefined && firstHeader(cors, ALLOW_ORIGIN) !== undefined;
      if (allowedOrigin) {
        // The gateway's CORS policy replaces whatever the backend said about the same headers.
        for (const [name, value] of cors) setHeader(headers, name, value);
        if (expose === '*' && credentials) exposeResponseHeaderNames(headers);
      }
      addVary(headers, 'Origin');
    },
  };
}

/** The configured list joined with ", ", "*" for a wildcard, undefined when empty. */
function listOrWildcard(values: string[]): string | undefined {
  if (values.length === 0) return undefined;
  if (values.includes('*')) return '*';
  return values.join(', ');
}

/** With credentials a `*` must become the concrete requested value (or be omitted when none was sent). */
function echoWildcard(
  value: string | undefined,
  requested: string | undefined,
  credentials: boolean,
): string | undefined {
  if (value !== '*' || !credentials) return value;
  return requested === undefined || requested.trim() === '' ? undefined : requested;
}

const SAFELISTED = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

/** exposeHeaders `*` with credentials: list the response's own header names instead of `*`. */
function exposeResponseHeaderNames(headers: HeaderList): void {
  const names = new Set<string>();
  for (const [name] of headers) if (!SAFELISTED.has(name) && !name.startsWith('access-control-')) names.add(name);
  if (names.size > 0) setHeader(headers, 'access-control-expose-headers', [...names].join(', '));
}
