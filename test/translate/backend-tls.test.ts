// BackendTLSPolicy evaluation (src/translate/backend-tls.ts), field by field: which targets claim a slot, what
// makes a validation block unusable (Accepted=False Invalid / NoValidCACertificate, and the message a user
// reads), which CA references resolve, and the bundle the usable ones hand the proxy. The CRD's own checks
// (CEL, patterns, maxItems) do not run on standalone manifests, so every one of them is the translator's too.
import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import type { K8sObject } from '../../src/core/types.js';
import { buildBackendTlsIndex } from '../../src/translate/backend-tls.js';
import { createTestCa } from '../support/test-ca.js';

const NS = 'app';
const caA = createTestCa('CA A');
const caB = createTestCa('CA B');
const configMaps: Record<string, K8sObject> = {
  'ca-a': {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ca-a', namespace: NS },
    data: { 'ca.crt': caA.cert },
  },
  'ca-b': {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ca-b', namespace: NS },
    data: { 'ca.crt': caB.cert },
  },
  empty: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty', namespace: NS }, data: {} },
};
const lookup = (namespace: string, name: string) => (namespace === NS ? configMaps[name] : undefined);
const canonical = (pem: string) => new X509Certificate(pem).toString();

let created = 0;
function policy(name: string, spec: { targetRefs?: unknown[]; validation?: Record<string, unknown> }): K8sObject {
  created++;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name, namespace: NS, creationTimestamp: `2026-01-01T00:00:${String(created).padStart(2, '0')}Z` },
    spec: { targetRefs: [{ group: '', kind: 'Service', name: 'svc' }], ...spec },
  };
}
const withValidation = (validation: Record<string, unknown>) => policy('p', { validation });
const REFS_A = { hostname: 'backend.example', caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca-a' }] };
const evaluate = (...policies: K8sObject[]) => buildBackendTlsIndex({ backendTLSPolicies: policies }, lookup);
const only = (obj: K8sObject) => evaluate(obj).policies[0]!;

describe('the slots a policy claims', () => {
  it.each([
    ['a core Service', { group: '', kind: 'Service', name: 'svc' }, ['app/svc#']],
    ['a core Service with the group left out', { kind: 'Service', name: 'svc' }, ['app/svc#']],
    ['one port of a Service', { group: '', kind: 'Service', name: 'svc', sectionName: 'https' }, ['app/svc#https']],
    ['a Service of another API group', { group: 'example.com', kind: 'Service', name: 'svc' }, []],
    ['another kind', { group: '', kind: 'ServiceImport', name: 'svc' }, []],
    ['a Service without a name', { group: '', kind: 'Service' }, []],
    ['a Service with an empty name', { group: '', kind: 'Service', name: '' }, []],
  ])('%s', (_what, targetRef, keys) => {
    const index = evaluate(policy('p', { targetRefs: [targetRef], validation: REFS_A }));
    expect([...index.slots.keys()]).toEqual(keys);
  });

  it('gives a slot claimed once no losers, and a slot claimed again the later policy as its loser', () => {
    const older = policy('older', { validation: REFS_A });
    const newer = policy('newer', { validation: REFS_A });
    const single = evaluate(older).slots.get('app/svc#')!;
    expect(single.losers).toEqual([]);
    const both = evaluate(newer, older).slots.get('app/svc#')!;
    expect(both.winner.name).toBe('older');
    expect(both.losers.map((p) => p.name)).toEqual(['newer']);
  });

  it('claims a slot named twice by one policy once', () => {
    const twice = policy('p', {
      targetRefs: [
        { kind: 'Service', name: 'svc' },
        { kind: 'Service', name: 'svc' },
      ],
    });
    expect(evaluate(twice).slots.get('app/svc#')!.losers).toEqual([]);
  });
});

describe('validation.hostname', () => {
  const ofLength = (n: number) => `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(n - 192)}`;
  it.each([
    ['backend.example', 'backend.example', true],
    ['a one-letter label after a dot', 'api.v.example', true],
    ['one letter', 'x', true],
    ['253 characters', ofLength(253), true],
    ['254 characters', ofLength(254), false],
    ['a path after it', 'backend.example/path', false],
    ['a trailing dot', 'backend.example.', false],
    ['a wildcard', '*.example', false],
    ['an upper-case letter', 'Backend.example', false],
    ['empty', '', false],
  ])('%s: a precise hostname %s', (_what, hostname, usable) => {
    const ir = only(withValidation({ ...REFS_A, hostname }));
    expect(ir.accepted.status).toBe(usable ? 'True' : 'False');
    if (!usable) expect(ir.unusable).toBe(`validation.hostname ${JSON.stringify(hostname)} is not a precise hostname`);
  });
});

describe('what makes a validation block unusable', () => {
  const sans = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'Hostname', hostname: `h${i}.example` }));
  it.each([
    [
      'both a CA reference and the well-known CAs',
      { ...REFS_A, wellKnownCACertificates: 'System' },
      'validation must not set both caCertificateRefs and wellKnownCACertificates',
    ],
    [
      'an empty well-known value beside a CA reference',
      { ...REFS_A, wellKnownCACertificates: '' },
      'wellKnownCACertificates "" is not supported (only System)',
    ],
    [
      'neither',
      { hostname: 'backend.example' },
      'validation sets neither caCertificateRefs nor wellKnownCACertificates',
    ],
    [
      'an empty reference list and no well-known CAs',
      { hostname: 'backend.example', caCertificateRefs: [] },
      'validation sets neither caCertificateRefs nor wellKnownCACertificates',
    ],
    [
      'six subjectAltNames',
      { ...REFS_A, subjectAltNames: sans(6) },
      'validation.subjectAltNames has more than 5 entries',
    ],
    [
      'a Hostname SAN without a hostname',
      { ...REFS_A, subjectAltNames: [...sans(1), { type: 'Hostname' }] },
      'validation.subjectAltNames[1] needs type Hostname with a hostname or URI with a uri',
    ],
    [
      'a SAN that is not an object',
      { ...REFS_A, subjectAltNames: ['h.example'] },
      'validation.subjectAltNames[0] needs type Hostname with a hostname or URI with a uri',
    ],
  ])('%s', (_what, validation, why) => {
    const ir = only(withValidation(validation));
    expect(ir.settings).toBeUndefined();
    expect(ir.unusable).toBe(why);
    expect(ir.accepted).toMatchObject({ status: 'False', reason: 'Invalid', message: why });
  });

  it('accepts five subjectAltNames', () => {
    expect(only(withValidation({ ...REFS_A, subjectAltNames: sans(5) })).settings?.subjectAltNames).toHaveLength(5);
  });
});

describe('a subjectAltName', () => {
  const long = (n: number, prefix: string) => prefix + 'a'.repeat(n - prefix.length);
  it.each([
    ['a Hostname', { type: 'Hostname', hostname: 'h.example' }, true],
    ['a Hostname of 253 characters', { type: 'Hostname', hostname: long(253, '') }, true],
    ['a Hostname of 254 characters', { type: 'Hostname', hostname: long(254, '') }, false],
    ['an empty Hostname', { type: 'Hostname', hostname: '' }, false],
    ['a Hostname with only a uri', { type: 'Hostname', uri: 'spiffe://cluster/ns/app' }, false],
    ['a URI', { type: 'URI', uri: 'spiffe://cluster/ns/app' }, true],
    ['a URI of 4096 characters', { type: 'URI', uri: long(4096, 'spiffe://') }, true],
    ['a URI of 4097 characters', { type: 'URI', uri: long(4097, 'spiffe://') }, false],
    ['a URI whose scheme starts with a digit', { type: 'URI', uri: '9spiffe://cluster' }, false],
    ['a URI with a space', { type: 'URI', uri: 'spiffe://cluster ns' }, false],
    ['a URI without a scheme', { type: 'URI', uri: 'no-scheme' }, false],
    ['a URI with only a hostname', { type: 'URI', hostname: 'h.example' }, false],
    ['no type', { hostname: 'h.example', uri: 'spiffe://cluster' }, false],
  ])('%s: usable %s', (_what, san, usable) => {
    const ir = only(withValidation({ ...REFS_A, subjectAltNames: [san] }));
    if (usable) expect(ir.settings?.subjectAltNames).toEqual([san]);
    else expect(ir.unusable).toMatch(/^validation\.subjectAltNames\[0\] needs/);
  });
});

describe('CA certificate references', () => {
  const refs = (...list: unknown[]) => only(withValidation({ hostname: 'backend.example', caCertificateRefs: list }));
  const cm = (name: string) => ({ group: '', kind: 'ConfigMap', name });

  it('resolves ConfigMaps named with or without the core group, and hands the proxy one bundle of their certificates', () => {
    const index = evaluate(
      withValidation({
        hostname: 'b.example',
        caCertificateRefs: [cm('ca-a'), { kind: 'ConfigMap', name: 'ca-b' }, cm('ca-a')],
      }),
    );
    const ir = index.policies[0]!;
    expect(ir.resolvedRefs.status).toBe('True');
    expect([...index.cas.entries()]).toEqual([[ir.settings!.ca, canonical(caA.cert) + canonical(caB.cert)]]);
  });

  it.each([
    ['a Secret', { group: '', kind: 'Secret', name: 'ca-a' }, 'InvalidKind', 'core/Secret ca-a is not a ConfigMap'],
    [
      'a ConfigMap of another group',
      { group: 'example.com', kind: 'ConfigMap', name: 'ca-a' },
      'InvalidKind',
      'example.com/ConfigMap ca-a is not a ConfigMap',
    ],
    ['no kind', { name: 'ca-a' }, 'InvalidKind', 'core/ ca-a is not a ConfigMap'],
    ['no name', { kind: 'ConfigMap' }, 'InvalidCACertificateRef', 'ConfigMap app/ not found'],
    ['a missing ConfigMap', cm('absent'), 'InvalidCACertificateRef', 'ConfigMap app/absent not found'],
    ['a ConfigMap without ca.crt', cm('empty'), 'InvalidCACertificateRef', 'ConfigMap app/empty has no ca.crt'],
  ])('says which reference is wrong and why: %s', (_what, ref, reason, message) => {
    const ir = refs(ref);
    expect(ir.resolvedRefs).toMatchObject({ status: 'False', reason, message });
    expect(ir.accepted).toMatchObject({
      status: 'False',
      reason: 'NoValidCACertificate',
      message: `no valid CA certificate: ${message}`,
    });
  });

  it('names every wrong reference, with the first one’s reason, and stays usable on the ones that resolve', () => {
    const ir = refs(cm('absent'), { kind: 'Secret', name: 's' }, cm('ca-a'));
    expect(ir.resolvedRefs).toMatchObject({
      reason: 'InvalidCACertificateRef',
      message: 'ConfigMap app/absent not found; core/Secret s is not a ConfigMap',
    });
    expect(ir.accepted.status).toBe('True');
    const none = refs(cm('absent'), cm('empty'));
    expect(none.unusable).toBe(
      'no valid CA certificate: ConfigMap app/absent not found; ConfigMap app/empty has no ca.crt',
    );
  });
});
