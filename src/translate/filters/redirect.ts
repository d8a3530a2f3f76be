// RequestRedirect (HTTPRequestRedirectFilter) → the proxy's redirect; an unsupported scheme, port or status
// code makes it unsupported.
import { REDIRECT_STATUS_CODES } from '../../gatewayapi/constants.js';
import { int, record, str } from '../../gatewayapi/values.js';
import type { FilterInputOf, FilterTranslator } from './kind.js';
import { unsupported } from './kind.js';
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

function redirect(r: Record<string, unknown>): RedirectInput {
  const out: RedirectInput = {};
  if (r.scheme !== undefined)
    out.scheme =
      r.scheme === 'http' || r.scheme === 'https'
        ? r.scheme
        : unsupported(`redirect scheme ${String(r.scheme)} is not supported`);
  if (str(r.hostname)) out.hostname = r.hostname as string;
  if (r.port !== undefined) {
    const port = int(r.port);
    out.port =
      port !== undefined && port >= 1 && port <= 65535
        ? port
        : unsupported(`redirect port ${String(r.port)} is invalid`);
  }
  const path = pathModifier(r.path);
  if (path) out.path = path;
  const code = r.statusCode ?? 302;
  out.statusCode = REDIRECT_STATUS_CODES.has(code as number)
    ? (code as 302)
    : unsupported(`redirect statusCode ${String(code)} is not supported`);
  return out;
}
