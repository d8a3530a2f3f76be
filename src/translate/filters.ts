// Gateway API filters → the proxy config's filter shapes. An unknown type or value makes the filter list
// invalid (the caller drops the rule with UnsupportedValue); a mirror whose backend cannot be resolved is
// left out and reported as a ResolvedRefs problem.
import type { z } from 'zod';
import type { Filter, HeaderModifier, PathModifier } from '../../proxy/config/schema.js';
import { REDIRECT_STATUS_CODES, type RouteKind } from '../gatewayapi/constants.js';
import { bool, int, isRecord, record, records, str, strings } from '../gatewayapi/values.js';
import { resolveRef, type RefProblem } from './backends.js';
import type { Context } from './context.js';

export type FilterInput = z.input<typeof Filter>;
type HeaderModifierInput = z.input<typeof HeaderModifier>;
type PathModifierInput = z.input<typeof PathModifier>;

export interface FilterResult {
  filters: FilterInput[];
  /** Why the list is unusable (unsupported type or value); the rule is dropped. */
  invalid?: string;
  problems: RefProblem[];
  /** BackendTLSPolicy slots governing the mirrors' Services (backend-tls.ts). */
  tlsSlots: string[];
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;
const FILTERS_BY_KIND: Record<RouteKind, Set<string>> = {
  HTTPRoute: new Set([
    'RequestHeaderModifier',
    'ResponseHeaderModifier',
    'RequestRedirect',
    'URLRewrite',
    'RequestMirror',
    'CORS',
  ]),
  GRPCRoute: new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror']),
};

class Unsupported extends Error {}
const fail = (msg: string): never => {
  throw new Unsupported(msg);
};

export function translateFilters(ctx: Context, kind: RouteKind, routeNs: string, raw: unknown): FilterResult {
  const result: FilterResult = { filters: [], problems: [], tlsSlots: [] };
  const list = records(raw);
  const types = list.map((f) => f.type);
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
    return { ...result, invalid: 'RequestRedirect and URLRewrite cannot be used together' };
  }
  try {
    for (const f of list) {
      const type = str(f.type) ?? '';
      if (!FILTERS_BY_KIND[kind].has(type)) fail(`filter type ${type || '(none)'} is not supported on ${kind}`);
      const out = translateOne(ctx, kind, routeNs, type, f, result);
      if (out) result.filters.push(out);
    }
  } catch (e) {
    if (e instanceof Unsupported) return { ...result, filters: [], invalid: e.message };
    throw e;
  }
  return result;
}

function translateOne(
  ctx: Context,
  kind: RouteKind,
  ns: string,
  type: string,
  f: Record<string, unknown>,
  result: FilterResult,
): FilterInput | undefined {
  switch (type) {
    case 'RequestHeaderModifier':
      return { type, requestHeaderModifier: headerModifier(f.requestHeaderModifier) };
    case 'ResponseHeaderModifier':
      return { type, responseHeaderModifier: headerModifier(f.responseHeaderModifier) };
    case 'RequestRedirect':
      return { type, requestRedirect: redirect(record(f.requestRedirect)) };
    case 'URLRewrite':
      return { type, urlRewrite: rewrite(record(f.urlRewrite)) };
    case 'RequestMirror':
      return mirror(ctx, kind, ns, record(f.requestMirror), result);
    case 'CORS':
      return { type, cors: cors(record(f.cors)) };
    default:
      return fail(`filter type ${type} is not supported`);
  }
}

function headerModifier(raw: unknown): HeaderModifierInput {
  const m = record(raw);
  const pairs = (v: unknown) =>
    records(v).map((p) => {
      const name = str(p.name) ?? '';
      if (!HEADER_NAME.test(name)) fail(`invalid header name "${name}"`);
      return { name, value: str(p.value) ?? '' };
    });
  const out: HeaderModifierInput = {};
  if (Array.isArray(m.set)) out.set = pairs(m.set);
  if (Array.isArray(m.add)) out.add = pairs(m.add);
  if (Array.isArray(m.remove)) {
    out.remove = strings(m.remove).map((n) => (HEADER_NAME.test(n) ? n : fail(`invalid header name "${n}"`)));
  }
  return out;
}

function pathModifier(raw: unknown): PathModifierInput | undefined {
  if (raw === undefined) return undefined;
  const p = record(raw);
  if (p.type === 'ReplaceFullPath' && typeof p.replaceFullPath === 'string')
    return { type: 'ReplaceFullPath', replaceFullPath: p.replaceFullPath };
  if (p.type === 'ReplacePrefixMatch' && typeof p.replacePrefixMatch === 'string')
    return { type: 'ReplacePrefixMatch', replacePrefixMatch: p.replacePrefixMatch };
  return fail(`path modifier type ${String(p.type)} is not supported or lacks its value`);
}

function redirect(r: Record<string, unknown>) {
  const out: Extract<FilterInput, { type: 'RequestRedirect' }>['requestRedirect'] = {};
  if (r.scheme !== undefined)
    out.scheme =
      r.scheme === 'http' || r.scheme === 'https'
        ? r.scheme
        : fail(`redirect scheme ${String(r.scheme)} is not supported`);
  if (str(r.hostname)) out.hostname = r.hostname as string;
  if (r.port !== undefined) {
    const port = int(r.port);
    out.port =
      port !== undefined && port >= 1 && port <= 65535 ? port : fail(`redirect port ${String(r.port)} is invalid`);
  }
  const path = pathModifier(r.path);
  if (path) out.path = path;
  const code = r.statusCode ?? 302;
  out.statusCode = REDIRECT_STATUS_CODES.has(code as number)
    ? (code as 302)
    : fail(`redirect statusCode ${String(code)} is not supported`);
  return out;
}

function rewrite(r: Record<string, unknown>) {
  const out: Extract<FilterInput, { type: 'URLRewrite' }>['urlRewrite'] = {};
  if (str(r.hostname)) out.hostname = r.hostname as string;
  const path = pathModifier(r.path);
  if (path) out.path = path;
  return out;
}

function mirror(
  ctx: Context,
  kind: RouteKind,
  ns: string,
  m: Record<string, unknown>,
  result: FilterResult,
): FilterInput | undefined {
  // Mirrored gRPC still goes out as h2c; the RouteKind only decides the reference grant's "from".
  const target = resolveRef(ctx, kind, ns, record(m.backendRef));
  if (target.tlsSlot) result.tlsSlots.push(target.tlsSlot);
  if (target.problem) {
    result.problems.push(target.problem);
    return undefined;
  }
  const requestMirror: Extract<FilterInput, { type: 'RequestMirror' }>['requestMirror'] = {
    name: target.name,
    endpoints: target.endpoints,
    protocol: target.protocol === 'h2c' ? 'h2c' : 'http1',
    percent: mirrorPercent(m),
  };
  if (target.tls) requestMirror.tls = target.tls;
  return { type: 'RequestMirror', requestMirror };
}

function mirrorPercent(m: Record<string, unknown>): number {
  if (int(m.percent) !== undefined) return Math.min(100, Math.max(0, m.percent as number));
  if (isRecord(m.fraction)) {
    const num = int(m.fraction.numerator) ?? 0;
    const den = int(m.fraction.denominator) ?? 100;
    if (den <= 0 || num < 0 || num > den) fail('mirror fraction is invalid');
    return Math.round((num / den) * 100 * 10_000) / 10_000;
  }
  return 100;
}

function cors(r: Record<string, unknown>) {
  const out: Extract<FilterInput, { type: 'CORS' }>['cors'] = {};
  if (Array.isArray(r.allowOrigins)) out.allowOrigins = strings(r.allowOrigins);
  if (bool(r.allowCredentials) !== undefined) out.allowCredentials = r.allowCredentials as boolean;
  if (Array.isArray(r.allowMethods)) out.allowMethods = strings(r.allowMethods);
  if (Array.isArray(r.allowHeaders)) out.allowHeaders = strings(r.allowHeaders);
  if (Array.isArray(r.exposeHeaders)) out.exposeHeaders = strings(r.exposeHeaders);
  if (int(r.maxAge) !== undefined && (r.maxAge as number) >= 0) out.maxAge = r.maxAge as number;
  return out;
}
