// CORS (HTTPCORSFilter) → the proxy's CORS policy. A field of the wrong type (only a hand-written manifest
// has one: the CRD checks types) makes the filter unsupported rather than being left to the proxy's defaults.
import { record } from '../../gatewayapi/values.js';
import { optionalList, unsupported, type FilterInputOf, type FilterTranslator } from './kind.js';

type CorsInput = FilterInputOf<'CORS'>['cors'];

export const cors: FilterTranslator<'CORS'> = {
  type: 'CORS',
  routeKinds: ['HTTPRoute'],
  translate: (f) => ({ type: 'CORS', cors: corsPolicy(record(f.cors)) }),
};

const corsPolicy = (r: Record<string, unknown>): CorsInput => ({
  allowOrigins: stringList(r.allowOrigins, 'allowOrigins'),
  allowCredentials: flag(r.allowCredentials, 'allowCredentials'),
  allowMethods: stringList(r.allowMethods, 'allowMethods'),
  allowHeaders: stringList(r.allowHeaders, 'allowHeaders'),
  exposeHeaders: stringList(r.exposeHeaders, 'exposeHeaders'),
  maxAge: seconds(r.maxAge),
});

function stringList(value: unknown, field: string): string[] | undefined {
  const notStrings = `cors.${field} must be a list of strings`;
  const list = optionalList(value, notStrings);
  return list?.every((v) => typeof v === 'string') === false ? unsupported(notStrings) : (list as string[]);
}

function flag(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return unsupported(`cors.${field} must be true or false`);
}

function seconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  return unsupported(`cors.maxAge ${JSON.stringify(value)} is not a number of seconds`);
}
