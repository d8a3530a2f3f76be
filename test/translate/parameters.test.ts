// A GatewayClass's parameters (src/translate/parameters.ts): the ConfigMap its parametersRef names, when the
// snapshot holds it, turns the access log on with accessLog "true"; any other value is ignored and said so.
import { describe, expect, it } from '@jest/globals';
import type { K8sObject } from '../../src/core/types.js';
import { classParameters, type ClassParameters } from '../../src/translate/parameters.js';

const configMap = (data: unknown, namespace: string | null = 'infra', name = 'params'): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace !== null && { namespace }) },
  ...(data !== undefined && { data }),
});
const REF = { kind: 'ConfigMap', name: 'params', namespace: 'infra' };
const OFF = { accessLog: false };
const ON = { accessLog: true };
const ON_DATA = { accessLog: 'true' };
const ignored = (shown: string) => ({
  accessLog: false,
  ignored: `parameter accessLog ignored: it must be "true" or "false", not ${shown}`,
});

describe('classParameters', () => {
  it.each<[string, unknown, K8sObject[], ClassParameters]>([
    // [what, parametersRef, the snapshot's ConfigMaps, expected]
    ['no parametersRef', undefined, [configMap({ accessLog: 'true' })], OFF],
    ['a parametersRef that is no object', 'params', [configMap({ accessLog: 'true' })], OFF],
    ['another kind', { ...REF, kind: 'Secret' }, [configMap({ accessLog: 'true' })], OFF],
    ['a ConfigMap of another group', { ...REF, group: 'example.com' }, [configMap({ accessLog: 'true' })], OFF],
    ['the core group said as ""', { ...REF, group: '' }, [configMap({ accessLog: 'true' })], ON],
    ['accessLog "true"', REF, [configMap({ accessLog: 'true' })], ON],
    ['"true" with spaces around', REF, [configMap({ accessLog: ' true\n' })], ON],
    ['accessLog "false"', REF, [configMap({ accessLog: 'false' })], OFF],
    ['"false" with spaces around', REF, [configMap({ accessLog: '  false ' })], OFF],
    ['no accessLog key', REF, [configMap({ other: 'x' })], OFF],
    ['a ConfigMap without data', REF, [configMap(undefined)], OFF],
    ['data that is no object', REF, [configMap('accessLog=true')], OFF],
    ['no such ConfigMap in the snapshot', REF, [configMap({ accessLog: 'true' }, 'infra', 'other')], OFF],
    ['the ConfigMap in another namespace', REF, [configMap({ accessLog: 'true' }, 'apps')], OFF],
    ['a ConfigMap without a namespace: in "default"', { ...REF, namespace: 'default' }, [configMap(ON_DATA, null)], ON],
    // classes.ts refuses such a ref (InvalidParameters); read anyway, it names no ConfigMap.
    ['a ref without a namespace', { kind: 'ConfigMap', name: 'params' }, [configMap(ON_DATA, null)], OFF],
    ['the one of several that matches', REF, [configMap({}, 'apps'), configMap({ accessLog: 'true' })], ON],
    ['accessLog "yes"', REF, [configMap({ accessLog: ' yes ' })], ignored('"yes"')],
    ['an unquoted YAML boolean', REF, [configMap({ accessLog: true })], ignored('true')],
    ['a long value, shown cut', REF, [configMap({ accessLog: 'x'.repeat(100) })], ignored(`"${'x'.repeat(64)}"`)],
  ])('%s', (_what, ref, configMaps, expected) => {
    expect(classParameters(ref, configMaps)).toEqual(expected);
  });
});
