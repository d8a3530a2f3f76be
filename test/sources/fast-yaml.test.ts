// The js-yaml fast path (src/sources/fast-yaml.ts) against `yaml`, the reference parser: whatever text the
// fast path takes, it must give exactly what `yaml` gives; what it declines goes to `yaml` anyway. The oracle
// here is `yaml`'s own parseAllDocuments + toJS, not the code under test.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseFast } from '../../src/sources/fast-yaml.js';
import { splitDocuments } from '../../src/sources/doc-cache.js';
import { parseManifests } from '../../src/sources/manifests.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** What `yaml` reads from text: its documents' values, or 'error'. */
function reference(text: string): unknown[] | 'error' {
  const docs = parseAllDocuments(text, { prettyErrors: false });
  if (docs.some((d) => d.errors.length > 0)) return 'error';
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((v) => v !== null && v !== undefined);
}

/** The fast path agrees with `yaml`: declined, or the same values (Lists expanded as parseManifests does). */
function expectAgreement(text: string): boolean {
  const fast = parseFast(text);
  if (fast === undefined) return false;
  const expected = reference(text);
  expect(expected).not.toBe('error');
  const expanded = (expected as Record<string, unknown>[]).flatMap((v) =>
    typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items) ? (v.items as unknown[]) : [v],
  );
  expect(fast).toEqual(expanded);
  return true;
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );

const MANIFEST = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  labels: {app: web, tier: "1"}
spec:
  parentRefs: [{name: gw, port: 80}]
  hostnames: ["a.example.com", b.example.com]
  rules:
    - matches:
        - path: {type: PathPrefix, value: /api}
          headers:
            - name: x-v
              value: '2'
      backendRefs:
        - name: svc
          port: 8080
          weight: 0x10
      timeouts: {request: 10s}
`;

/** Block scalars, comments, a document marker, a List, indentation-less sequences. */
const MANIFEST_LIST = `# routes
---
kind: List
items:
- kind: Secret
  metadata:
    name: cert # the listener certificate
  stringData:
    tls.crt: |
      -----BEGIN CERTIFICATE-----
      MIIB
    note: >-
      folded
      text
- kind: Service
  metadata: {name: svc, namespace: ns}
  spec:
    ports:
    - port: 80
      targetPort: 8080
    selector: {}
`;

describe('fast YAML path', () => {
  it('reads every manifest in the repository as yaml does, and takes most of them', () => {
    const files = [...yamlFiles(join(ROOT, 'test/golden/testdata')), ...yamlFiles(join(ROOT, 'deploy'))];
    let documents = 0;
    let taken = 0;
    for (const file of files) {
      for (const doc of splitDocuments(readFileSync(file, 'utf8')) ?? []) {
        documents++;
        if (expectAgreement(doc)) taken++;
      }
    }
    expect(documents).toBeGreaterThan(300);
    expect(taken / documents).toBeGreaterThan(0.8);
  });

  it.each([
    ...[
      '~',
      'null',
      'Null',
      'NULL',
      'nULL',
      '',
      'true',
      'True',
      'TRUE',
      'tRUE',
      'false',
      'yes',
      'no',
      'on',
      'off',
      'y',
    ],
    ...['0', '-0', '+12', '007', '0o17', '0o8', '0O17', '0x1F', '0X1F', '-0x1F', '0b101', '1_000', '9007199254740993'],
    ...[
      '1.',
      '.5',
      '-.5',
      '1.50',
      '1e3',
      '1E+3',
      '+.5e-3',
      '1.2.3',
      '.',
      'e3',
      '.inf',
      '-.Inf',
      '+.INF',
      '.NaN',
      '-.nan',
    ],
    ...['2020-01-01', '12:30:00', '1:20', '0.1.2', '10s', '"1"', "'true'", '[1, "2", ~]'],
  ])('reads the scalar %j as yaml does', (value) => {
    expect(expectAgreement(`kind: X\nmetadata: {name: n}\nvalue: ${value}\n`)).toBe(true);
  });

  it.each([
    ['an anchor and its alias', 'kind: X\nmetadata: &m {name: n}\nother: *m\n'],
    ['a directive', '%YAML 1.1\n---\nkind: X\nmetadata: {name: n}\nv: yes\n'],
    ['a tag this schema does not know', 'kind: X\nmetadata: {name: n}\nv: !!binary aGk=\n'],
    ['an explicit tag its value does not fit', 'kind: X\nmetadata: {name: n}\nv: !!float 1\n'],
    ['a non-specific tag', 'kind: X\nmetadata: {name: n}\nv: !\n'],
    ['a comment right after a bracket', 'kind: X\nmetadata: {name: n}#\n'],
    ['a syntax error', 'kind: X\nmetadata: [oops\n'],
    ['a duplicate key', 'kind: X\nkind: Y\nmetadata: {name: n}\n'],
    ['a document without a kind', 'metadata: {name: n}\n'],
    ['an object without a name', 'kind: X\nmetadata: {}\n'],
    ['a scalar document', 'just text\n'],
    ['a text longer than one step', `${MANIFEST}---\n`.repeat(200)],
  ])('leaves %s to yaml', (_what, text) => {
    expect(parseFast(text)).toBeUndefined();
  });

  it('parseManifests still gives yaml’s answers where the fast path declines', () => {
    // YAML 1.1 (the directive) reads "yes" as true; the fast path's 1.2 schema would keep the string.
    const v11 = parseManifests('%YAML 1.1\n---\nkind: X\nmetadata: {name: web}\nv: yes\n', 'f.yaml')[0];
    expect(v11).toMatchObject({ v: true });
    expect(() => parseManifests('kind: X\nmetadata: {}\n', 'f.yaml')).toThrow(/^f\.yaml:1: X has no metadata.name/);
    const aliased = parseManifests('kind: X\nmetadata: &m {name: n}\nother: *m\n', 'f.yaml')[0]!;
    expect(aliased).toMatchObject({ other: { name: 'n' } });
  });

  it.each([
    ['a route', MANIFEST],
    ['a List', MANIFEST_LIST],
  ])(
    'agrees with yaml on edits of %s: whatever an edit makes of the text, it is declined or read alike',
    (_what, base) => {
      const edit = fc.record({
        at: fc.nat({ max: base.length }),
        remove: fc.nat({ max: 4 }),
        insert: fc.string({
          unit: fc.constantFrom(...' \t\r\n:-[]{},"\'#|>!?*%@`0123456789.aeE+x~_nTo\\/'.split('')),
          maxLength: 4,
        }),
      });
      let taken = 0;
      fc.assert(
        fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
          let text = base;
          for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.remove);
          if (expectAgreement(text)) taken++;
        }),
        // A fixed seed keeps CI deterministic; FUZZ_SEED / FUZZ_RUNS explore further.
        { numRuns: Number(process.env.FUZZ_RUNS ?? 1500), seed: Number(process.env.FUZZ_SEED ?? 20261203) },
      );
      expect(taken).toBeGreaterThan(100);
    },
  );
});
