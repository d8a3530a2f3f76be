// Golden tests: every testdata/NAME.in.yaml (first line: a comment saying what it checks) is parsed like
// `render` does and translated with fixed options; the result must equal NAME.out.yaml.
// UPDATE_GOLDEN=1 (npm run golden:update) rewrites the outputs; review them by eye: they are the spec.
// A GatewayClass's supportedFeatures is the same long list in every scenario: it lives once, in
// testdata/supported-features.yaml, and the outputs name it (adding a feature changes one file, not fifty).
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { ProxyConfig } from '../../proxy/config/schema.js';
import { DEFAULT_CONTROLLER_NAME, type TranslateOptions } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FEATURES_FILE = join(DATA, 'supported-features.yaml');
const FEATURES_MARK = 'the list in supported-features.yaml';

/** The result with each GatewayClass's supportedFeatures that equals the shared list replaced by a mark. */
function withSharedFeatures(result: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(result)) as { statuses?: Array<{ status?: { supportedFeatures?: unknown } }> };
  for (const entry of copy.statuses ?? []) {
    const features = entry.status?.supportedFeatures;
    if (features === undefined) continue;
    if (UPDATE && !existsSync(FEATURES_FILE)) writeFileSync(FEATURES_FILE, stringify(features));
    if (JSON.stringify(features) === JSON.stringify(parse(readFileSync(FEATURES_FILE, 'utf8')))) {
      entry.status!.supportedFeatures = FEATURES_MARK;
    }
  }
  return copy;
}
const scenarios = readdirSync(DATA)
  .filter((f) => f.endsWith('.in.yaml'))
  .map((f) => f.slice(0, -'.in.yaml'.length))
  .sort();

/** A scenario may override options with a second-line comment: `# options: {"tunnelId": null}`. */
function optionsFor(text: string): TranslateOptions {
  const base: TranslateOptions = {
    controllerName: DEFAULT_CONTROLLER_NAME,
    now: '2026-01-01T00:00:00Z',
    tunnelId: 'tunnel-1',
    proxyHttpPort: 8080,
    proxyTlsPort: 8443,
    dataAddressHost: '127.0.0.1',
  };
  const line = text.split('\n').find((l) => l.startsWith('# options:'));
  if (!line) return base;
  const overrides = JSON.parse(line.slice('# options:'.length)) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  return merged as unknown as TranslateOptions;
}

/** Every reason the condition constructors can write (read from their source, so a new one needs a scenario). */
function reasonsWeWrite(): string[] {
  const src = readFileSync(join(DATA, '..', '..', '..', 'src', 'gatewayapi', 'conditions.ts'), 'utf8');
  const literal = [...src.matchAll(/cond\('[A-Za-z]+', (?:true|false|accepted|ok), '([A-Za-z]+)'/g)].map((m) => m[1]!);
  const unions = [...src.matchAll(/type \w+Reason = ([^;]+);/g)].flatMap((m) =>
    [...m[1]!.matchAll(/'([A-Za-z]+)'/g)].map((x) => x[1]!),
  );
  return [...new Set([...literal, ...unions])].sort();
}

describe('translate golden files', () => {
  it('has scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(20);
  });

  it('shows every condition reason we write in some scenario', () => {
    const outputs = scenarios.map((n) => readFileSync(join(DATA, `${n}.out.yaml`), 'utf8')).join('\n');
    const seen = new Set([...outputs.matchAll(/reason: (\w+)/g)].map((m) => m[1]!));
    const reasons = reasonsWeWrite();
    expect(reasons.length).toBeGreaterThan(20);
    expect(reasons.filter((r) => !seen.has(r))).toEqual([]);
  });

  it.each(scenarios)('%s', (name) => {
    const text = readFileSync(join(DATA, `${name}.in.yaml`), 'utf8');
    expect(text.startsWith('# ')).toBe(true);
    const { snapshot } = toSnapshot(parseManifests(text, `${name}.in.yaml`));
    const frozen = JSON.stringify(snapshot);
    const result = translate(snapshot, optionsFor(text));
    expect(JSON.stringify(snapshot)).toBe(frozen); // inputs are never mutated
    expect(() => ProxyConfig.parse(result.proxyConfig)).not.toThrow();
    const shown = withSharedFeatures(result);
    const actual = stringify(shown, { lineWidth: 0, aliasDuplicateObjects: false });
    const outFile = join(DATA, `${name}.out.yaml`);
    if (UPDATE) writeFileSync(outFile, actual);
    expect(existsSync(outFile)).toBe(true); // a new scenario needs UPDATE_GOLDEN=1 and a review
    expect(shown).toEqual(parse(readFileSync(outFile, 'utf8')));
  });
});
