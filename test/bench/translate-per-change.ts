// The translator's and the in-process push's CPU per change at N routes, in this process, with CPU time
// (process.cpuUsage: a busy machine distorts it far less than wall time), for A/B of a control-plane change
// between two source trees (`git archive <rev> | tar -x -C /tmp/base`, node_modules linked, run in each).
// The bench's layout (test/bench/lib/manifests.ts: one Gateway, N routes, N/10 hostnames); changes alternate
// a new route (the newest, its rules last) and a changed path on an existing one; after each translation the
// statuses are written back onto the objects as the file source does (changed statuses only), so the next
// change also carries those. Median over CHANGES changes, after two warm-up translations.
// Usage: N=5000 CHANGES=300 node bin/run-ts.mjs test/bench/translate-per-change.ts
import { ConfigPreparer } from '../../proxy/config/prepared.js';
import { DEFAULT_CONTROLLER_NAME, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate, type DesiredState } from '../../src/translate/index.js';
import { baseManifests, hostLayout, routeManifest } from './lib/manifests.js';
import { median } from './lib/stats.js';

const N = Number(process.env.N ?? 5000);
const CHANGES = Number(process.env.CHANGES ?? 300);
const DAY = Date.UTC(2026, 0, 1);

const routeObject = (name: string, path: string, host: string, age: number): K8sObject => {
  const obj = parseManifests(routeManifest(name, path, host), `${name}.yaml`)[0]!;
  obj.metadata.creationTimestamp = new Date(DAY + age * 1000).toISOString();
  return obj;
};

let snapshot: Snapshot = toSnapshot(parseManifests(baseManifests(9), 'base.yaml')).snapshot;
snapshot.httpRoutes = Array.from({ length: N }, (_, i) => routeObject(`r-${i}`, `/r-${i}`, hostLayout(i), i));

const written = new Map<string, unknown>();
const keyOf = (kind: string, o: K8sObject) => `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** The statuses that changed, written onto copies of their objects (what the file source's snapshot serves). */
function writeBack(out: DesiredState): void {
  const changed = new Map<string, Record<string, unknown>>();
  for (const s of out.statuses) {
    const key = `${s.kind}/${s.namespace}/${s.name}`;
    if (written.get(key) !== s.status) changed.set(key, s.status);
    written.set(key, s.status);
  }
  const patch = (list: K8sObject[], kind: string) =>
    list.map((o) => (changed.has(keyOf(kind, o)) ? { ...o, status: changed.get(keyOf(kind, o)) } : o));
  snapshot = {
    ...snapshot,
    httpRoutes: patch(snapshot.httpRoutes, 'HTTPRoute'),
    gateways: patch(snapshot.gateways, 'Gateway'),
  };
}

let clock = 0;
const options = () => ({
  controllerName: DEFAULT_CONTROLLER_NAME,
  now: new Date(DAY + 86_400_000 + clock++ * 1000).toISOString(),
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
});
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

const preparer = new ConfigPreparer('identity');
for (let i = 0; i < 2; i++) writeBack(translate(snapshot, options()));
const translation: number[] = [];
const preparation: number[] = [];
for (let k = 0; k < CHANGES; k++) {
  const index = (k * 7919) % (N - 1);
  const list = [...snapshot.httpRoutes];
  if (k % 2 === 0) list.push(routeObject(`add-${k}`, `/add-${k}`, hostLayout(index), N + k));
  else list[index] = routeObject(`r-${index}`, `/r-${index}-v${k}`, hostLayout(index), index);
  snapshot = { ...snapshot, httpRoutes: list };
  let since = process.cpuUsage();
  const out = translate(snapshot, options());
  translation.push(cpuMs(since));
  since = process.cpuUsage();
  const prepared = preparer.prepare(out.proxyConfig);
  preparation.push(cpuMs(since));
  if (!prepared.ok) throw new Error(prepared.error);
  writeBack(out);
}
console.log(
  `${N} routes, ${CHANGES} changes: translate() ${median(translation).toFixed(2)} ms CPU per change (median), ` +
    `the in-process push's preparation ${median(preparation).toFixed(2)} ms`,
);
