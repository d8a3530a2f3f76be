import { describe, expect, it } from '@jest/globals';
import { parseManifests, toSnapshot, ManifestError } from '../../src/sources/manifests.js';

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
      'kind: HTTPRoute\nmetadata: {name: r}\n---\nkind: GatewayClass\nmetadata: {name: c}\n---\nkind: Deployment\nmetadata: {name: m}\n---\nkind: ConfigMap\nmetadata: {name: ca}\n',
      'f.yaml',
    );
    const { snapshot, ignored } = toSnapshot(objs);
    expect(snapshot.httpRoutes[0]!.metadata.namespace).toBe('default');
    expect(snapshot.gatewayClasses[0]!.metadata.namespace).toBeUndefined();
    // ConfigMaps are read (BackendTLSPolicy caCertificateRefs); a Deployment is not.
    expect(snapshot.configMaps[0]!.metadata.namespace).toBe('default');
    expect(ignored.map((o) => o.kind)).toEqual(['Deployment']);
  });
});
