// Gateway API filters → the proxy config's filter shapes, each by its kind's translator (registry.ts). An
// unknown or unserved type or an unsupported value makes the filter list invalid (the caller drops the rule
// with UnsupportedValue); a mirror whose backend cannot be resolved is left out and reported as a
// ResolvedRefs problem.
import type { RouteKind } from '../../gatewayapi/constants.js';
import { isRecord, str } from '../../gatewayapi/values.js';
import type { Context } from '../context.js';
import type { FilterInput, FilterNotes, FilterTranslator, FilterType } from './kind.js';
import { UnsupportedFilter, unsupported } from './kind.js';
import { FILTER_TRANSLATORS } from './registry.js';

export type { FilterInput } from './kind.js';

export interface FilterResult extends FilterNotes {
  filters: FilterInput[];
  /** Why the list is unusable (unsupported type or value); the rule is dropped. */
  invalid?: string;
}

/** Any kind's translator; one called with a filter of another kind is a bug the map lookups rule out. */
type AnyTranslator = { [T in FilterType]: FilterTranslator<T> }[FilterType];
const TRANSLATORS = new Map<string, AnyTranslator>(Object.values(FILTER_TRANSLATORS).map((t) => [t.type, t]));

export function translateFilters(ctx: Context, kind: RouteKind, ns: string, raw: unknown): FilterResult {
  const result: FilterResult = { filters: [], problems: [], tlsSlots: [] };
  const site = { ctx, kind, ns };
  try {
    const list = filterList(raw);
    const clash = excludedPair(list.map((f) => f.type));
    if (clash) unsupported(clash);
    for (const f of list) {
      const type = str(f.type) ?? '';
      const translator = TRANSLATORS.get(type);
      if (!translator?.routeKinds.includes(kind))
        unsupported(`filter type ${type || '(none)'} is not supported on ${kind}`);
      const out = translator.translate(f, site, result);
      if (out) result.filters.push(out);
    }
  } catch (e) {
    if (e instanceof UnsupportedFilter) return { ...result, filters: [], invalid: e.message };
    throw e;
  }
  return result;
}

/** Whether some translated filter needs every match of its rule to be a PathPrefix match. */
export function needsPrefixMatch(filters: FilterInput[]): boolean {
  return filters.some((f) => {
    const needs = TRANSLATORS.get(f.type)?.needsPrefixMatch as ((filter: FilterInput) => boolean) | undefined;
    return needs?.(f) === true;
  });
}

/** The filters as objects; a YAML key left empty (null) is no filters. */
function filterList(raw: unknown): Array<Record<string, unknown>> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return unsupported('filters must be a list');
  return raw.map((f, i) => (isRecord(f) ? f : unsupported(`filters[${i}] is not an object`)));
}

function excludedPair(types: unknown[]): string | undefined {
  for (const t of TRANSLATORS.values()) {
    if (t.excludes && types.includes(t.type) && types.includes(t.excludes))
      return `${t.type} and ${t.excludes} cannot be used together`;
  }
  return undefined;
}
