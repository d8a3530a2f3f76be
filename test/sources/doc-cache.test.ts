// Parsing a file document by document with a cache gives exactly what parsing the whole text gives (objects
// and error messages), and re-parses only the documents whose text changed.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseWithCache, splitDocuments } from '../../src/sources/doc-cache.js';
import { parseManifests } from '../../src/sources/manifests.js';

const route = (name: string, path = `/${name}`) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: ns}\nspec: {rules: [{matches: [{path: {value: ${path}}}]}]}\n`;

// Pieces a stream is made of, including the ones a naive split would get wrong.
const DOCS = [
  route('a'),
  route('b', '/b/c'),
  '# only a comment\n',
  '',
  '--- {kind: Service, metadata: {name: inline}}\n',
  'kind: ConfigMap\nmetadata: {name: text}\ndata:\n  script: |\n    line one\n    --- not a marker when indented\n',
  'kind: List\nitems:\n  - {kind: Service, metadata: {name: l1}}\n  - {kind: Service, metadata: {name: l2}}\n',
  'kind: Service\r\nmetadata: {name: crlf}\r\n',
  'kind: Service\nmetadata: {name: no-newline}',
  '%YAML 1.2\n---\nkind: Service\nmetadata: {name: directive}\n',
  'kind: Service\nmetadata: {name: ended}\n...\n',
  'kind: Service\nmetadata: {name: anchored}\nspec: &s {ports: [{port: 80}]}\nstatus: *s\n',
];
const BROKEN = [
  'kind: Service\nmetadata: [broken\n',
  'kind: Service\n',
  'just a string\n',
  // Cut off by a read half-way through a rewrite.
  'kind: Service\nmetadata: {name: cut',
  'kind: Service\nmetadata:\n  name: "cut',
  'apiVersion: v1\nki',
];

function joinDocs(docs: string[]): string {
  return docs.map((d, i) => (i === 0 || d.startsWith('---') ? d : `---\n${d}`)).join('');
}

function outcome(parse: () => unknown): unknown {
  try {
    return { objects: parse() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('parseWithCache', () => {
  it('gives what parseManifests gives, objects or error, for any stream of tricky documents, cached or not', () => {
    const doc = fc.constantFrom(...DOCS, ...BROKEN);
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 8 }), fc.array(doc, { maxLength: 8 }), (before, after) => {
        const previous = outcome(() => parseWithCache(joinDocs(before), 'f.yaml', undefined));
        const cache = (previous as { objects?: { cache: Map<string, never> } }).objects?.cache;
        const text = joinDocs(after);
        const expected = outcome(() => parseManifests(text, 'f.yaml'));
        expect(outcome(() => parseWithCache(text, 'f.yaml', undefined).objects)).toEqual(expected);
        expect(outcome(() => parseWithCache(text, 'f.yaml', cache).objects)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('names the line of an error in a later document, as the whole-text parse does', () => {
    const text = joinDocs([route('a'), route('b'), 'kind: Service\nmetadata: [broken\n']);
    const brokenLine = text.split('\n').indexOf('metadata: [broken') + 1;
    expect(() => parseWithCache(text, 'f.yaml', undefined)).toThrow(new RegExp(`^f\\.yaml:${brokenLine}: `));
    expect(outcome(() => parseWithCache(text, 'f.yaml', undefined))).toEqual(
      outcome(() => parseManifests(text, 'f.yaml')),
    );
  });

  it('re-parses only the documents that changed', () => {
    const names = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const first = parseWithCache(joinDocs(names.map((n) => route(n))), 'f.yaml', undefined);
    const second = parseWithCache(
      joinDocs(names.map((n) => (n === 'r42' ? route(n, '/changed') : route(n)))),
      'f.yaml',
      first.cache,
    );
    expect(second.objects).toHaveLength(100);
    second.objects.forEach((obj, i) =>
      i === 42 ? expect(obj).not.toBe(first.objects[i]) : expect(obj).toBe(first.objects[i]),
    );
    expect(
      (second.objects[42]!.spec as { rules: Array<{ matches: Array<{ path: { value: string } }> }> }).rules[0]!
        .matches[0]!.path.value,
    ).toBe('/changed');
    expect(second.cache.size).toBe(100);
    expect([first.parsed, second.parsed]).toEqual([100, 1]);
    // A text the split cannot honour is parsed whole: one parse.
    expect(parseWithCache('%YAML 1.2\n---\n' + route('d'), 'f.yaml', first.cache).parsed).toBe(1);
  });
});

describe('splitDocuments', () => {
  it('splits at "---" lines only, and refuses directives and "..." ends', () => {
    expect(splitDocuments('a: 1\n---\nb: 2\n--- c\n')).toEqual(['a: 1\n', '---\nb: 2\n', '--- c\n']);
    expect(splitDocuments('a: |\n  ---\n----\n')).toEqual(['a: |\n  ---\n----\n']);
    expect(splitDocuments('%YAML 1.2\n---\na: 1\n')).toBeUndefined();
    expect(splitDocuments('a: 1\n...\n')).toBeUndefined();
  });
});
