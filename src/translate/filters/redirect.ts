// RequestRedirect (HTTPRequestRedirectFilter) → the proxy's redirect; an unsupported scheme, hostname, port or
// status code makes it unsupported.
import { REDIRECT_STATUS_CODES } from '../../gatewayapi/constants.js';
import { int, record } from '../../gatewayapi/values.js';
import { filterHostname, unsupported, type FilterInputOf, type FilterTranslator } from './kind.js';
import { pathModifier, replacesPrefix } from './path-modifier.js';

type RedirectInput = FilterInputOf<'RequestRedirect'>['requestRedirect'];

export const requestRedirect: FilterTranslator<'RequestRedirect'> = {
  type: 'RequestRedirect',
  routeKinds: ['HTTPRoute'],
  translate: (f) => ({ type: 'RequestRedirect', requestRedirect: redirect(record(f.requestRedirect)) }),
  // The spec: a rule answers with a redirect or forwards rewritten, never both.
  excludes: 'URLRewrite',
  needsPrefixMatch: (f) => replacesPrefix(f.requestRedirect.path),
};

const redirect = (r: Record<string, unknown>): RedirectInput => ({
  scheme: redirectScheme(r.scheme),
  hostname: filterHostname(r.hostname, 'redirect'),
  port: redirectPort(r.port),
  path: pathModifier(r.path),
  statusCode: redirectStatusCode(r.statusCode ?? 302),
});

function redirectScheme(scheme: unknown): RedirectInput['scheme'] {
  if (scheme === undefined || scheme === 'http' || scheme === 'https') return scheme;
  return unsupported(`redirect scheme ${String(scheme)} is not supported`);
}

function redirectPort(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const port = int(raw);
  return port !== undefined && port >= 1 && port <= 65535
    ? port
    : unsupported(`redirect port ${String(raw)} is invalid`);
}

function redirectStatusCode(code: unknown): RedirectInput['statusCode'] {
  return REDIRECT_STATUS_CODES.has(code as number)
    ? (code as 302)
    : unsupported(`redirect statusCode ${String(code)} is not supported`);
}
