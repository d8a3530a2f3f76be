// Summarizes a V8 .cpuprofile (from BENCH_CPU_PROF / node --cpu-prof): top functions by self time and
// by total (inclusive) time, with file:line, so a hot-path finding can be stated precisely.
// Usage: node bin/run-ts.mjs test/bench/profile-summary.ts FILE.cpuprofile [TOP=25] [FILTER]
// A long profile (the CLI through a whole bench) holds phases: PROFILE_BUSY=1 prints the busy ms of each
// second since the profile began, and PROFILE_WINDOW=FROM,TO (seconds) summarizes only that window.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg = '25', filter = ''] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [TOP] [URL_FILTER]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode) => {
  const f = n.callFrame;
  const where = f.url
    ? `${f.url.replace(/^file:\/\/\/work\/main\//, '').replace(/^.*node_modules\//, 'nm:')}:${f.lineNumber + 1}`
    : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const [from, to] = (process.env.PROFILE_WINDOW ?? '0,Infinity').split(',').map((x) => Number(x) * 1e6);
const busyPerSecond = new Map<number, number>();
const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
let at = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  const leaf = byId.get(id)!;
  if (leaf.callFrame.functionName !== '(idle)') {
    const second = Math.floor(at / 1e6);
    busyPerSecond.set(second, (busyPerSecond.get(second) ?? 0) + dt / 1000);
  }
  if (at < from! || at > to!) return;
  all += dt;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (seen.has(l)) continue; // recursion counts once
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + dt);
  }
});

const top = Number(topArg);
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms sampled)`);
  [...m.entries()]
    .filter(([l]) => l.includes(filter))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([l, us]) => console.log(`${((100 * us) / all).toFixed(1).padStart(5)}%  ${l}`));
};
if (process.env.PROFILE_BUSY) {
  console.log([...busyPerSecond].map(([second, ms]) => `${second}s:${ms.toFixed(0)}`).join(' '));
  process.exit(0);
}
show('self time', self);
show('total time', total);
