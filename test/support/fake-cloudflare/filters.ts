// List filters of the double. The SDK sends nested filters with dots (`name.exact=`, `comment.contains=`);
// plain `name=` / `comment=` mean exact. `match=any` ORs the filters, the default `all` ANDs them.
import type { FakeRecord } from './store.js';

type Op = 'exact' | 'contains' | 'startswith' | 'endswith' | 'present' | 'absent';
const OPS: Op[] = ['exact', 'contains', 'startswith', 'endswith', 'present', 'absent'];
const FIELDS = ['name', 'content', 'comment'] as const;

export function matchesRecordFilters(r: FakeRecord, q: URLSearchParams): boolean {
  const checks: boolean[] = [];
  for (const field of FIELDS) {
    const value = (r[field] ?? '').toString();
    const isSet = r[field] !== null && r[field] !== '';
    if (q.has(field)) checks.push(textOp('exact', value, q.get(field)!, isSet, field === 'name'));
    for (const op of OPS) {
      for (const arg of q.getAll(`${field}.${op}`)) checks.push(textOp(op, value, arg, isSet, field === 'name'));
    }
  }
  if (q.has('type')) checks.push(r.type === q.get('type'));
  if (q.has('proxied')) checks.push(String(r.proxied) === q.get('proxied'));
  if (checks.length === 0) return true;
  return q.get('match') === 'any' ? checks.some(Boolean) : checks.every(Boolean);
}

function textOp(op: Op, value: string, arg: string, isSet: boolean, caseless: boolean): boolean {
  const v = caseless ? value.toLowerCase() : value;
  const a = caseless ? arg.toLowerCase() : arg;
  switch (op) {
    case 'exact':
      return v === a;
    case 'contains':
      return v.includes(a);
    case 'startswith':
      return v.startsWith(a);
    case 'endswith':
      return v.endsWith(a);
    case 'present':
      return isSet;
    case 'absent':
      return !isSet;
  }
}

/** Zone `name` filter: `equal` by default, or `<operator>:<value>` (contains, starts_with, ends_with, not_equal). */
export function matchesZoneName(zoneName: string, filter: string): boolean {
  const m = /^(equal|not_equal|contains|starts_with|ends_with):(.*)$/.exec(filter);
  const [op, arg] = m ? [m[1], m[2]!.toLowerCase()] : ['equal', filter.toLowerCase()];
  switch (op) {
    case 'not_equal':
      return zoneName !== arg;
    case 'contains':
      return zoneName.includes(arg);
    case 'starts_with':
      return zoneName.startsWith(arg);
    case 'ends_with':
      return zoneName.endsWith(arg);
    default:
      return zoneName === arg;
  }
}
