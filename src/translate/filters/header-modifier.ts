// RequestHeaderModifier / ResponseHeaderModifier (HTTPHeaderFilter) → the proxy's header modifier. A header
// name that is not an HTTP token cannot be sent, so it makes the filter unsupported.
import { record, records, str, strings } from '../../gatewayapi/values.js';
import type { FilterInputOf, FilterTranslator } from './kind.js';
import { unsupported } from './kind.js';

type HeaderModifierInput = FilterInputOf<'RequestHeaderModifier'>['requestHeaderModifier'];

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$/;

export const requestHeaderModifier: FilterTranslator<'RequestHeaderModifier'> = {
  type: 'RequestHeaderModifier',
  routeKinds: ['HTTPRoute', 'GRPCRoute'],
  translate: (f) => ({ type: 'RequestHeaderModifier', requestHeaderModifier: headerModifier(f.requestHeaderModifier) }),
};

export const responseHeaderModifier: FilterTranslator<'ResponseHeaderModifier'> = {
  type: 'ResponseHeaderModifier',
  routeKinds: ['HTTPRoute', 'GRPCRoute'],
  translate: (f) => ({
    type: 'ResponseHeaderModifier',
    responseHeaderModifier: headerModifier(f.responseHeaderModifier),
  }),
};

function headerModifier(raw: unknown): HeaderModifierInput {
  const m = record(raw);
  const pairs = (v: unknown) =>
    records(v).map((p) => {
      const name = str(p.name) ?? '';
      if (!HEADER_NAME.test(name)) unsupported(`invalid header name "${name}"`);
      return { name, value: str(p.value) ?? '' };
    });
  const out: HeaderModifierInput = {};
  if (Array.isArray(m.set)) out.set = pairs(m.set);
  if (Array.isArray(m.add)) out.add = pairs(m.add);
  if (Array.isArray(m.remove)) {
    out.remove = strings(m.remove).map((n) => (HEADER_NAME.test(n) ? n : unsupported(`invalid header name "${n}"`)));
  }
  return out;
}
