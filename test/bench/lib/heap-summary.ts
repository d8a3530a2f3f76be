// Where a process's heap allocations come from, read from a V8 sampling heap profile taken with collected
// objects included (HeapProfiler.startSampling with includeObjectsCollectedBy{Major,Minor}GC, as
// lib/heap-sampler.mjs does): each sample is charged to the function that allocated it, so the profile is
// an allocation profile, not a picture of what is live. Grouped by origin (our code, undici, node:http,
// streams, timers…) it says how much of the allocation per request is ours to cut (issue 19).

import { copyFileSync, existsSync, readFileSync } from 'node:fs';

export interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: SamplingNode[];
}

export interface AllocationSummary {
  /** Every sampled byte, per request. */
  totalKiB: number;
  /** Per origin (originOf), largest first, KiB per request. */
  byOrigin: Array<[string, number]>;
  /** Per allocating function ("name file:line"), largest first, KiB per request. */
  byFunction: Array<[string, number]>;
}

const NODE_GROUPS: Array<[RegExp, string]> = [
  [/^node:internal\/http2\/|^node:http2$/, 'node:http2'],
  [/^node:_http_|^node:http$/, 'node:http'],
  [/^node:internal\/streams\/|^node:stream/, 'node streams'],
  [/^node:timers|^node:internal\/timers/, 'node timers'],
  [/^node:internal\/process\/task_queues/, 'node nextTick'],
];

/** The origin a function's script belongs to: ours (proxy/, src/ or machines/), a package, a group of Node's own, or V8. */
export function originOf(url: string): string {
  if (url === '') return 'V8 / native';
  if (url.startsWith('node:')) {
    for (const [re, group] of NODE_GROUPS) if (re.test(url)) return group;
    return 'node other';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(proxy|src|machines)\//.exec(url);
  return ours ? `ours (${ours[1]}/)` : 'other';
}

function label(node: SamplingNode): string {
  const f = node.callFrame;
  const file = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(proxy|src|machines|test)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
}

/** Sums the profile's self sizes by origin and by function, per request. */
export function summarizeAllocations(head: SamplingNode, requests: number): AllocationSummary {
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const stack = [head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.selfSize > 0) {
      total += node.selfSize;
      add(byOrigin, originOf(node.callFrame.url), node.selfSize);
      add(byFunction, label(node), node.selfSize);
    }
    stack.push(...(node.children ?? []));
  }
  const perRequest = (bytes: number) => bytes / 1024 / requests;
  const ranked = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([k, v]): [string, number] => [k, perRequest(v)]);
  return { totalKiB: perRequest(total), byOrigin: ranked(byOrigin), byFunction: ranked(byFunction) };
}

function add(m: Map<string, number>, key: string, bytes: number): void {
  m.set(key, (m.get(key) ?? 0) + bytes);
}

/**
 * The profile lib/heap-sampler.mjs writes to `file` once the sampled process is sent its second SIGUSR2
 * (HEAP_PROFILE_KEEP=FILE keeps a copy: it opens in Chrome DevTools' Memory tab).
 */
export async function sampledProfile(file: string): Promise<SamplingNode> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  while (!existsSync(file)) await sleep(100);
  await sleep(500); // written in one call: give it time to finish
  if (process.env.HEAP_PROFILE_KEEP) copyFileSync(file, process.env.HEAP_PROFILE_KEEP);
  return (JSON.parse(readFileSync(file, 'utf8')) as { head: SamplingNode }).head;
}

/** The summary as the heap-profile tools print it: total, by origin, the `top` functions. */
export function printAllocations(title: string, unit: string, s: AllocationSummary, top: number): void {
  console.log(`${title}, ${s.totalKiB.toFixed(2)} KiB allocated per ${unit} (sampled)`);
  console.log(`\nKiB per ${unit} by origin of the allocating function:`);
  for (const [origin, kib] of s.byOrigin) console.log(`  ${kib.toFixed(3).padStart(9)}  ${origin}`);
  console.log(`\nthe ${top} functions that allocate most, KiB per ${unit}:`);
  for (const [fn, kib] of s.byFunction.slice(0, top)) console.log(`  ${kib.toFixed(3).padStart(9)}  ${fn}`);
}
