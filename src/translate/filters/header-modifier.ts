// RequestHeaderModifier / ResponseHeaderModifier (HTTPHeaderFilter) → the proxy's header modifier. A header
// name that is not an HTTP token cannot be sent, so it makes the filter unsupported.
import { record } from '../../gatewayapi/values.js';
import { optionalList, unsupported, type FilterInputOf, type FilterTranslator } from './kind.js';

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

// A list or entry of the wrong shape (only a hand-written manifest has one: the CRD checks types) makes the
// filter unsupported.
function headerModifier(raw: unknown): HeaderModifierInput {
  const m = record(raw);
  return { set: headerValues(m.set, 'set'), add: headerValues(m.add, 'add'), remove: headerNames(m.remove) };
}

function headerValues(list: unknown, field: string): HeaderModifierInput['set'] {
  return optionalList(list, `header modifier ${field} must be a list`)?.map((entry) => {
    const { name, value } = record(entry);
    if (typeof value !== 'string') return unsupported(`header ${JSON.stringify(name)} has no text value`);
    return { name: headerName(name), value };
  });
}

function headerNames(list: unknown): string[] | undefined {
  return optionalList(list, 'header modifier remove must be a list')?.map(headerName);
}

function headerName(name: unknown): string {
  return typeof name === 'string' && HEADER_NAME.test(name)
    ? name
    : unsupported(`invalid header name ${JSON.stringify(name)}`);
}
