// What one filter kind is on the translator's side (see registry.ts for why a kind is two modules).
import type { z } from 'zod';
import type { Filter } from '../../../proxy/config/schema.js';
import type { RouteKind } from '../../gatewayapi/constants.js';
import type { RefProblem } from '../backends.js';
import type { Context } from '../context.js';

/** A filter as the translator writes it into the proxy config (defaults may be omitted). */
export type FilterInput = z.input<typeof Filter>;
export type FilterType = FilterInput['type'];
export type FilterInputOf<T extends FilterType> = Extract<FilterInput, { type: T }>;

/** Where a filter list is: the route's kind and namespace (references resolve from there). */
export interface FilterSite {
  ctx: Context;
  kind: RouteKind;
  ns: string;
}

/** What translating a filter reports besides the filter. */
export interface FilterNotes {
  problems: RefProblem[];
  /** BackendTLSPolicy slots governing the Services filters send to (backend-tls.ts). */
  tlsSlots: string[];
}

export interface FilterTranslator<T extends FilterType> {
  type: T;
  /** The route kinds it is served on (each a kind whose CRD allows it: test/translate/filter-registry.test.ts). */
  routeKinds: readonly RouteKind[];
  /**
   * The Gateway API filter (its `type` is T) → the proxy config's, or undefined to leave it out (the reason in
   * `notes`). Throws UnsupportedFilter for a value we cannot serve: the caller drops the rule. A field the
   * manifest leaves out is `undefined` in the result, written as one object literal rather than assigned
   * under a condition: the config travels as JSON (push, version hash), where such a field is absent.
   */
  translate(filter: Record<string, unknown>, at: FilterSite, notes: FilterNotes): FilterInputOf<T> | undefined;
  /** A kind that may not be used in the same filter list. */
  excludes?: FilterType;
  /** Whether the translated filter needs every match of its rule to be a PathPrefix match. */
  needsPrefixMatch?: (filter: FilterInputOf<T>) => boolean;
}

export class UnsupportedFilter extends Error {}

export function unsupported(msg: string): never {
  throw new UnsupportedFilter(msg);
}

/** A list field: absent, or an array (its items are the caller's to check); anything else is unsupported. */
export function optionalList(value: unknown, notAList: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : unsupported(notAList);
}

/** A redirect's or rewrite's hostname: absent, or a non-empty string (the proxy's schema checks its form). */
export function filterHostname(value: unknown, filter: string): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' && value !== ''
    ? value
    : unsupported(`${filter} hostname ${JSON.stringify(value)} is not a hostname`);
}
