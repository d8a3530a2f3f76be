// CORS (HTTPCORSFilter) → the proxy's CORS policy; fields of the wrong type are left to the proxy's defaults.
import { bool, int, record, strings } from '../../gatewayapi/values.js';
import type { FilterInputOf, FilterTranslator } from './kind.js';

type CorsInput = FilterInputOf<'CORS'>['cors'];

export const cors: FilterTranslator<'CORS'> = {
  type: 'CORS',
  routeKinds: ['HTTPRoute'],
  translate: (f) => ({ type: 'CORS', cors: corsPolicy(record(f.cors)) }),
};

function corsPolicy(r: Record<string, unknown>): CorsInput {
  const out: CorsInput = {};
  if (Array.isArray(r.allowOrigins)) out.allowOrigins = strings(r.allowOrigins);
  if (bool(r.allowCredentials) !== undefined) out.allowCredentials = r.allowCredentials as boolean;
  if (Array.isArray(r.allowMethods)) out.allowMethods = strings(r.allowMethods);
  if (Array.isArray(r.allowHeaders)) out.allowHeaders = strings(r.allowHeaders);
  if (Array.isArray(r.exposeHeaders)) out.exposeHeaders = strings(r.exposeHeaders);
  if (int(r.maxAge) !== undefined && (r.maxAge as number) >= 0) out.maxAge = r.maxAge as number;
  return out;
}
