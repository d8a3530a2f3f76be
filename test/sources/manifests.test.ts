import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { runSteps } from '../../src/core/steps.js';
import {
  parseManifests,
  parseManifestsSteps,
  toSnapshot,
  yamlDocumentsSteps,
  ManifestError,
} from '../../src/sources/manifests.js';
import { FAST_PARSE_MAX_CHARS } from '../../src/sources/fast-yaml.js';

describe('parseManifests', () => {
  it('reads every document of a multi-document file, skipping empty ones', () => {
    const objs = parseManifests(
      'kind: Service\nmetadata: {name: a}\n---\n---\nkind: Gateway\nmetadata: {name: b}\n',
      'x.yaml',
    );
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/a', 'Gateway/b']);
  });

  it('expands a List', () => {
    const objs = parseManifests('{"kind":"List","items":[{"kind":"Service","metadata":{"name":"a"}}]}', 'l.json');
    expect(objs).toHaveLength(1);
  });

  it.each([
    // [what, text, expected line]
    ['a YAML syntax error', 'kind: Service\nmetadata: {name: a}\n---\nkind: Gateway\nmetadata: [oops\n', 5],
    ['a document without kind', 'kind: Service\nmetadata: {name: a}\n---\nmetadata: {name: b}\n', 4],
    ['an object without metadata.name', '---\nkind: Service\nmetadata: {}\n', 2],
    ['a scalar document', 'just a string\n', 1],
  ])('names the file and line for %s', (_what, text, line) => {
    let error: unknown;
    try {
      parseManifests(text, 'dir/bad.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toMatch(new RegExp(`^dir/bad\\.yaml:${line}: `));
  });
});

describe('toSnapshot', () => {
  it('sorts objects by kind, defaults namespaces and reports kinds it does not read', () => {
    const objs = parseManifests(
      'kind: HTTPRoute\nmetadata: {name: r}\n---\nkind: GatewayClass\nmetadata: {name: c}\n---\nkind: ConfigMap\nmetadata: {name: m}\n---\nkind: Deployment\nmetadata: {name: d}\n',
      'f.yaml',
    );
    const { snapshot, ignored } = toSnapshot(objs);
    expect(snapshot.httpRoutes[0]!.metadata.namespace).toBe('default');
    expect(snapshot.gatewayClasses[0]!.metadata.namespace).toBeUndefined();
    // ConfigMaps are read: GatewayClass parameters (accessLog), BackendTLSPolicy caCertificateRefs.
    expect(snapshot.configMaps[0]!.metadata.namespace).toBe('default');
    expect(ignored.map((o) => o.kind)).toEqual(['Deployment']);
  });

  it('reads ListenerSets (namespaced)', () => {
    const { snapshot, ignored } = toSnapshot(
      parseManifests('apiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\nmetadata: {name: ls}\n', 'f.yaml'),
    );
    expect(ignored).toEqual([]);
    expect(snapshot.listenerSets.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['default/ls']);
  });
});

describe('parsing in steps', () => {
  const route = (name: string, matches: number) =>
    `kind: HTTPRoute\nmetadata: {name: ${name}}\nspec:\n  rules:\n  - matches:\n${Array.from(
      { length: matches },
      (_, i) => `    - {path: {type: RegularExpression, value: "/${name}/${i}[0-9]+"}}\n`,
    ).join('')}`;
  const DOCS = [
    route('a', 3),
    route('big', 150), // tokens past a step boundary
    '# only a comment\n',
    '--- {kind: Service, metadata: {name: inline}}\n',
    'kind: ConfigMap\nmetadata: {name: text}\ndata:\n  script: |\n    one\n    --- indented\n',
    'kind: Service\r\nmetadata: {name: crlf}\r\n',
    'kind: Service\nmetadata: {name: no-newline}',
    '%YAML 1.2\n---\nkind: Service\nmetadata: {name: directive}\n',
    'kind: Service\nmetadata: {name: ended}\n...\n',
    'kind: Service\nmetadata: {name: anchored}\nspec: &s {ports: [{port: 80}]}\nstatus: *s\n',
    'kind: Service\nmetadata: [broken\n',
    'kind: Service\nmetadata: {name: dup, name: dup}\n',
    'just a string\n',
  ];
  /** What a document is to parseManifests: its value or errors, warnings, ranges. */
  const view = (doc: Document.Parsed) => ({
    errors: doc.errors.map((e) => [e.code, e.pos, e.message]),
    warnings: doc.warnings.map((e) => [e.code, e.pos, e.message]),
    range: doc.range,
    contents: (doc.contents as { range?: unknown } | null)?.range,
    value: doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
  });

  it("composes the same documents, errors and line starts as yaml's parseAllDocuments", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...DOCS), { maxLength: 6 }), (docs) => {
        const text = docs.map((d, i) => (i === 0 || d.startsWith('---') ? d : `---\n${d}`)).join('');
        const ours = new LineCounter();
        const theirs = new LineCounter();
        const reference = parseAllDocuments(text, { lineCounter: theirs, prettyErrors: false });
        expect(runSteps(yamlDocumentsSteps(text, ours)).map(view)).toEqual((reference as Document.Parsed[]).map(view));
        expect(ours.lineStarts).toEqual(theirs.lineStarts);
      }),
      { numRuns: 80 },
    );
  });

  it('yields at least every 512 YAML tokens and after each document (a text longer than the fast path takes)', () => {
    const text = [route('a', 400), route('b', 400), route('c', 1)].join('---\n');
    expect(text.length).toBeGreaterThan(FAST_PARSE_MAX_CHARS);
    const steps = parseManifestsSteps(text, 'f.yaml');
    let yields = 0;
    let result: IteratorResult<void, unknown>;
    while (!(result = steps.next()).done) yields++;
    expect(result.value).toHaveLength(3);
    // ~10 tokens per match line: 800 matches are ~8,000 tokens, so 15 or more steps, plus one per document.
    expect(yields).toBeGreaterThanOrEqual(15 + 3);
  });

  it('keeps what YAML aliases share shared, cycles included, in both parsers', () => {
    const doc = (pad: string) =>
      `kind: ConfigMap\nmetadata: {name: n, annotations: {pad: "${pad}"}}\ndata:\n  list: &l [a, b]\n  again: *l\n  self: &s {inner: *s}\n`;
    for (const text of [doc(''), doc('x'.repeat(FAST_PARSE_MAX_CHARS))]) {
      const [obj] = parseManifests(text, 'f.yaml') as unknown as Array<{
        data: Record<string, Record<string, unknown>>;
      }>;
      expect(obj!.data.list).toEqual(['a', 'b']);
      expect(obj!.data.again).toBe(obj!.data.list);
      expect(obj!.data.self!.inner).toBe(obj!.data.self);
    }
  });
});
