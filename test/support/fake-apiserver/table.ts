// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`, what `kubectl get` asks
// for): a CRD's additionalPrinterColumns evaluated with the JSONPath forms they use (`.a.b`, `.a[*].b`,
// `.a[?(@.k=="v")].b`); built-in kinds get Name and Age (a real server has per-kind printers).
import type { PrinterColumn, ResourceType } from './resources.js';
import type { Obj } from './store.js';

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export function wantsTable(accept: string | undefined): boolean {
  return /as=Table/.test(accept ?? '');
}

export function toTable(t: ResourceType, version: string, objects: Obj[], resourceVersion: string): Obj {
  const columns = t.printerColumns?.[version] ?? [AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      NAME_COLUMN,
      ...columns.map((c) => ({
        name: c.name,
        type: c.type === 'date' ? 'date' : c.type,
        format: '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(o, c))],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

function cell(o: Obj, c: PrinterColumn): unknown {
  const values = evaluate(o, c.jsonPath);
  if (values.length === 0) return c.type === 'integer' || c.type === 'number' ? null : '<none>';
  if (c.type === 'date') return age(String(values[0]));
  return values.length === 1 && typeof values[0] !== 'object'
    ? values[0]
    : values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
}

/** Evaluates the JSONPath subset printer columns use; returns every match. */
export function evaluate(root: unknown, path: string): unknown[] {
  const steps = path.match(/\.[^.[]+|\[\*\]|\[\?\(@\.[^)]*\)\]/g) ?? [];
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === '[*]') {
        if (Array.isArray(value)) next.push(...value);
      } else if (step.startsWith('[?')) {
        const m = /^\[\?\(@\.([\w.]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(step);
        if (m && Array.isArray(value)) next.push(...value.filter((v) => String(evaluate(v, `.${m[1]}`)[0]) === m[2]));
      } else if (value && typeof value === 'object' && !Array.isArray(value)) {
        const v = (value as Obj)[step.slice(1)];
        if (v !== undefined) next.push(v);
      }
    }
    current = next;
  }
  return current;
}

/** Like kubectl's HumanDuration (coarse). */
function age(timestamp: string): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (Number.isNaN(s)) return '<unknown>';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
