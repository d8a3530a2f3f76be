// The CLI control-plane bench reads its numbers from /proc, the admin API's /status and /metrics, and
// writes a route layout the CLI must accept: a parsing slip or a layout the issue did not ask for would
// show up as a wrong table, so each reader and the layout are checked here against real inputs.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { parseManifests } from '../../src/sources/manifests.js';
import { acceptedHttpRoutes, metricSum } from './lib/cli-standalone.js';
import { hostLayout, routeFiles, ROUTES_PER_FILE } from './lib/manifests.js';
import { cpuMs, memoryMiB, parseSchedstatNs, parseStatusBytes, waitQuiet } from './lib/proc-stats.js';
import { renderChecks } from './lib/report.js';
import { createLayout, nextChange, unchangedRoute } from './lib/route-churn.js';

type Route = {
  metadata: { name: string };
  spec: { hostnames: string[]; rules: Array<{ matches: Array<{ path: { value: string } }> }> };
};
const routesIn = (yaml: string) => parseManifests(yaml, 'bench.yaml') as unknown as Route[];

describe('route layout of the CLI bench (issue 15: files of 100, ~N/10 hostnames)', () => {
  it('1,000 routes lie in 10 files of 100 and on 100 hostnames, 10 routes each', () => {
    const files = routeFiles('r', 1_000, (i) => `/r-${i}`, hostLayout);
    expect(files.size).toBe(10);
    const routes = [...files.values()].flatMap(routesIn);
    expect(routes).toHaveLength(1_000);
    const perHost = new Map<string, number>();
    for (const r of routes) perHost.set(r.spec.hostnames[0]!, (perHost.get(r.spec.hostnames[0]!) ?? 0) + 1);
    expect(perHost.size).toBe(100);
    expect(new Set(perHost.values())).toEqual(new Set([10]));
    expect(routes[999]!.spec.hostnames).toEqual(['h99.cp.bench.local']);
  });

  it('changes alternate a new route and a moved path, and never touch the route under load', () => {
    const layout = createLayout('/nowhere', 300);
    const idle = unchangedRoute(layout);
    const changes = Array.from({ length: 40 }, () => nextChange(layout));
    expect(changes.map((c) => c.kind)).toEqual(changes.map((_, k) => (k % 2 ? 'path' : 'add')));
    expect(unchangedRoute(layout)).toEqual(idle);
    // Every change asks for a path no route had before it: a 200 for it can only come from the change.
    expect(new Set(changes.map((c) => c.path)).size).toBe(changes.length);
    expect(changes.filter((c) => /^\/r-\d+$/.test(c.path))).toEqual([]);
    for (const c of changes) {
      const docs = routesIn(c.content);
      // The changed route is in the file the change writes, with the host and path the bench then requests.
      const changed = docs.find((r) => r.spec.rules[0]!.matches[0]!.path.value === c.path)!;
      expect(changed.spec.hostnames).toEqual([c.host]);
      if (c.kind === 'add') expect(docs).toHaveLength(1);
      else expect(docs).toHaveLength(ROUTES_PER_FILE);
      // A rewritten file that holds the route under load keeps it as it was.
      const last = docs.find((r) => r.metadata.name === 'r-299');
      if (last) expect(last.spec.rules[0]!.matches[0]!.path.value).toBe(idle.path);
    }
  });
});

describe('/proc readers', () => {
  it('parse schedstat and status fields', () => {
    expect(parseSchedstatNs('43280543 2720693 78\n')).toBe(43280543);
    const status = 'Name:\tnode\nVmHWM:\t  195200 kB\nVmRSS:\t  120000 kB\n';
    expect(parseStatusBytes(status, 'VmRSS')).toBe(120000 * 1024);
    expect(parseStatusBytes(status, 'VmHWM')).toBe(195200 * 1024);
    expect(() => parseStatusBytes('Name: x\n', 'VmRSS')).toThrow(/VmRSS/);
  });

  it('CPU of this process agrees with getrusage (process.cpuUsage), finer than 10 ms clock ticks', () => {
    // getrusage windows around and inside the /proc window: what /proc counts lies between the two (reading
    // /proc itself costs CPU, more on a loaded machine, so a single window cannot be compared to the ms).
    const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
    const outer = process.cpuUsage();
    const before = cpuMs(process.pid);
    const inner = process.cpuUsage();
    // Busy until getrusage says 30 ms of CPU were used: on a loaded machine wall time says little.
    while (process.cpuUsage(inner).user < 30_000) {
      /* busy */
    }
    const innerMs = ms(process.cpuUsage(inner));
    const used = cpuMs(process.pid) - before;
    const outerMs = ms(process.cpuUsage(outer));
    expect(used).toBeGreaterThanOrEqual(innerMs - 1);
    expect(used).toBeLessThanOrEqual(outerMs + 1);
    expect(used % 10).not.toBe(0);
    const mem = memoryMiB(process.pid);
    expect(mem.rss).toBeGreaterThan(10);
    expect(mem.hwm).toBeGreaterThanOrEqual(mem.rss);
  });

  it('memory of a process tree counts a zombie child (exited, not reaped) as nothing instead of failing', async () => {
    // The shell's background child exits at once; `exec sleep` never reaps it: a zombie under a live process.
    const parent = spawn('sh', ['-c', 'true & exec sleep 5'], { stdio: 'ignore' });
    try {
      const { readFileSync, readdirSync } = await import('node:fs');
      const zombie = () =>
        readdirSync(`/proc/${parent.pid}/task`).some((t) =>
          readFileSync(`/proc/${parent.pid}/task/${t}/children`, 'utf8')
            .trim()
            .split(/\s+/)
            .filter(Boolean)
            .some((c) => /^State:\s+Z/m.test(readFileSync(`/proc/${c}/status`, 'utf8'))),
        );
      const deadline = Date.now() + 3000;
      while (!zombie() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(zombie()).toBe(true);
      expect(memoryMiB(parent.pid!).rss).toBeGreaterThan(0);
    } finally {
      parent.kill();
    }
  });

  it('waitQuiet returns for an idle process and gives up on a busy one', async () => {
    const idle = spawn('sleep', ['10']);
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
    try {
      await expect(waitQuiet(idle.pid!, { windowMs: 100 })).resolves.toBeLessThan(40);
      // Once it runs: a loaded machine may not schedule a new process for a while, and a process that has
      // not run yet is quiet. Windows of 300 ms, so that a busy loop left under 4 ms of CPU in every one of
      // them would take a machine starving it, not a busy one.
      while (cpuMs(busy.pid!) < 20) await new Promise((r) => setTimeout(r, 10));
      await expect(waitQuiet(busy.pid!, { windowMs: 300, timeoutMs: 900 })).rejects.toThrow(/did not go quiet/);
    } finally {
      idle.kill('SIGKILL');
      busy.kill('SIGKILL');
    }
  });
});

describe('admin API readers', () => {
  it('count HTTPRoutes Accepted by a parent, not other kinds nor refused routes', () => {
    const accepted = { parents: [{ conditions: [{ type: 'Accepted', status: 'True' }] }] };
    const refused = {
      parents: [
        {
          conditions: [
            { type: 'Accepted', status: 'False' },
            { type: 'ResolvedRefs', status: 'True' },
          ],
        },
      ],
    };
    const body = {
      statuses: [
        { kind: 'HTTPRoute', status: accepted },
        { kind: 'HTTPRoute', status: refused },
        { kind: 'HTTPRoute', status: { parents: [] } },
        { kind: 'GRPCRoute', status: accepted },
        { kind: 'HTTPRoute', status: { parents: [refused.parents[0]!, accepted.parents[0]!] } },
      ],
    };
    expect(acceptedHttpRoutes(body)).toBe(2);
  });

  it('sum a counter over its labels, not metrics that share its prefix', () => {
    const text = [
      '# HELP tunnel_gateway_syncs_total Syncs run',
      '# TYPE tunnel_gateway_syncs_total counter',
      'tunnel_gateway_syncs_total{outcome="ok"} 7',
      'tunnel_gateway_syncs_total{outcome="error"} 2',
      'tunnel_gateway_syncs_total_created 1700000000',
      'tunnel_gateway_syncs_totalish 99',
    ].join('\n');
    expect(metricSum(text, 'tunnel_gateway_syncs_total')).toBe(9);
    expect(metricSum('', 'tunnel_gateway_syncs_total')).toBe(0);
  });
});

describe('targets table', () => {
  const check = { name: 'x', value: '1', target: '< 2', pass: true };
  it('has an anchor column only when a check names an anchor', () => {
    expect(renderChecks([check]).split('\n')[0]).not.toContain('anchor');
    const table = renderChecks([check, { ...check, pass: false, anchor: 'agentgateway 16.6 ms' }]).split('\n');
    expect(table[0]).toContain('anchor');
    expect(table[3]).toContain('| NOT MET | agentgateway 16.6 ms |');
  });
});
