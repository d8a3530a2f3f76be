// The live debug page in a real browser (Debian's chromium driven by playwright-core) against the real
// `standalone` process, with ~170 routes: a broken route's state and badge stand out, a change moves only
// the diagram's highlight (long tasks measured with a PerformanceObserver, time from the server's
// transition to the screen), the user's place is kept, names are whole, heartbeats fold, filters work;
// no console errors and no request leaving the machine. Screenshots go to test-output/ (docs/images/).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../deploy/examples/', import.meta.url));
const MANY = 160;
const LONG_NAMES = [
  'gateway-conformance-http-route-with-a-long-name-alpha',
  'gateway-conformance-http-route-with-a-long-name-beta',
];
// A Mermaid draw of the route machine takes 250–430 ms on this machine's 2 shared cores; patching the page
// for an event takes a few. 50 ms is the long-task threshold itself; a loaded machine (GC, other suites)
// gets headroom, but a redraw would still fail.
const MAX_LONG_TASK_MS = 120;
const MAX_TO_SCREEN_MS = 300;

function route(namespace: string, name: string, gateway: string, backend = 'app-v1'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  parentRefs: [{ name: ${gateway} }]
  hostnames: ["${name}.example.com"]
  rules: [{ backendRefs: [{ name: ${backend}, port: 80 }] }]
`;
}

/** A second namespace with its own Gateway (listeners take routes from their own namespace only) and backend. */
const TEAM_B = `apiVersion: v1
kind: Namespace
metadata: { name: team-b }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: team-b }
spec:
  gatewayClassName: cloudflare-tunnel
  listeners: [{ name: http, protocol: HTTP, port: 80, hostname: "*.example.com", allowedRoutes: { namespaces: { from: Same } } }]
---
apiVersion: v1
kind: Service
metadata: { name: shop, namespace: team-b }
spec: { ports: [{ name: http, port: 80, targetPort: 3001 }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: shop-1, namespace: team-b, labels: { kubernetes.io/service-name: shop } }
addressType: IPv4
ports: [{ name: http, port: 3001, protocol: TCP }]
endpoints: [{ addresses: ["127.0.0.1"], conditions: { ready: true } }]
---
${route('team-b', 'shop', 'edge', 'shop')}`;

describe('debug page', () => {
  let dir: string;
  let app: CliProcess;
  let admin: number;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const actorRow = (name: string) => page.locator(`.actor:has(.name:text-is("${name}"))`);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: .ci/run installs Debian's chromium`);
    dir = await mkdtemp(join(tmpdir(), 'tgw-debug-'));
    for (const file of ['gateway.yaml', 'routes.yaml', 'backends.yaml'])
      await writeFile(join(dir, file), await readFile(join(EXAMPLES, file), 'utf8'));
    const many = Array.from({ length: MANY }, (_, i) =>
      route('demo', `gateway-conformance-route-${String(i).padStart(3, '0')}`, 'cloudflare-tunnel'),
    );
    await writeFile(
      join(dir, 'many.yaml'),
      [...many, ...LONG_NAMES.map((n) => route('demo', n, 'cloudflare-tunnel'))].join('---\n'),
    );
    await writeFile(join(dir, 'team-b.yaml'), TEAM_B);
    ({ app, admin } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(admin, { path: '/readyz' })).status === 200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    page.on('request', (req) => {
      if (!new URL(req.url()).hostname.startsWith('127.')) foreignRequests.push(req.url());
    });
    await page.goto(`http://127.0.0.1:${admin}/debug/`);
    await page.waitForSelector('#connection.on');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists every actor, whole names with a tooltip, the replica by its endpoint, a legend', async () => {
    for (const kind of ['GatewayClass', 'Gateway', 'HTTPRoute', 'coordinator', 'replica'])
      await page.waitForSelector(`.group[data-kind="${kind}"] .actor`);
    await eventually(
      async () => (await page.locator('.group[data-kind="HTTPRoute"] .actor').count()) === MANY + LONG_NAMES.length + 3,
      20_000,
      100,
    );
    for (const name of LONG_NAMES) {
      const row = actorRow(`demo/${name}`);
      expect(await row.getAttribute('title')).toContain(`demo/${name}`);
      // Shown whole: wrapped, never cut.
      expect(
        await row
          .locator('.name')
          .evaluate((e) => e.scrollWidth <= e.clientWidth && getComputedStyle(e).textOverflow !== 'ellipsis'),
      ).toBe(true);
    }
    await expect(page.locator('.group[data-kind="replica"] .name').allTextContents()).resolves.toEqual([
      'embedded proxy',
    ]);
    expect(await page.textContent('.legend')).toMatch(/unhealthy/);
    await expect(page.locator('.actor.unhealthy').count()).resolves.toBe(0);
  });

  it('moves only the highlight on a change: no redraw, no long task, on screen fast, place kept', async () => {
    await actorRow('demo/app').click();
    await page.waitForSelector('#diagram svg');
    expect(await page.getAttribute('#diagram', 'data-current')).toBe('accepted__programmed');
    expect(await page.textContent('#state-help')).toMatch(/^programmed: /);
    // Transitions and context are in view without scrolling.
    for (const card of ['.transitions', '.context'])
      expect(await page.locator(card).evaluate((e) => e.getBoundingClientRect().top < innerHeight)).toBe(true);
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & { mermaid: { render: (...a: unknown[]) => unknown } };
      const render = w.mermaid.render.bind(w.mermaid);
      w.renders = 0;
      w.mermaid.render = (...a: unknown[]) => ((w.renders as number)++, render(...a));
      w.longTasks = [] as number[];
      new PerformanceObserver((list) =>
        list.getEntries().forEach((e) => (w.longTasks as number[]).push(e.duration)),
      ).observe({ type: 'longtask' });
      new MutationObserver(() => (w.onScreenAt = Date.now())).observe(document.getElementById('current-state')!, {
        childList: true,
        characterData: true,
        subtree: true,
      });
      (document.querySelector('#diagram svg') as unknown as Record<string, unknown>).drawnBefore = true;
      document.getElementById('list')!.scrollTop = 300;
      // Reading the diagram: scrolled so that its card is at the top (the conditions above it will change).
      const detail = document.getElementById('detail')!;
      detail.scrollTop +=
        document.querySelector('.card.machine')!.getBoundingClientRect().top - detail.getBoundingClientRect().top - 4;
    });
    // The user's place: the row in the middle of the list, and where the diagram sits on screen.
    const place = () =>
      page.evaluate(() => {
        const nav = document.getElementById('list')!.getBoundingClientRect();
        const row = document
          .elementFromPoint(nav.left + 60, nav.top + nav.height / 2)
          ?.closest('.actor') as HTMLElement | null;
        return {
          row: row?.dataset.actor,
          diagramTop: Math.round(document.getElementById('diagram')!.getBoundingClientRect().top),
        };
      });
    const placeBefore = await place();

    // Break the route's backend (its Service no longer exists).
    const routes = await readFile(join(dir, 'routes.yaml'), 'utf8');
    await writeFile(join(dir, 'routes.yaml'), routes.replace('name: api', 'name: api-renamed'));
    await page.waitForFunction(
      () => document.getElementById('current-state')!.textContent === 'accepted.degraded.unresolvedRefs',
      undefined,
      { timeout: 10_000 },
    );
    await page.waitForTimeout(1_000); // the events that follow (other actors, heartbeats)
    const measured = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return {
        renders: w.renders as number,
        longTasks: w.longTasks as number[],
        onScreenAt: w.onScreenAt as number,
        same: Boolean((document.querySelector('#diagram svg') as unknown as Record<string, unknown>).drawnBefore),
      };
    });
    const { actors } = JSON.parse((await httpRequest(admin, { path: '/debug/actors' })).body) as {
      actors: Array<{ name: string; transitions: Array<{ to: string; at: string }> }>;
    };
    const knownAt = Date.parse(
      actors
        .find((a) => a.name === 'demo/app')!
        .transitions.findLast((t) => t.to === 'accepted.degraded.unresolvedRefs')!.at,
    );
    const toScreen = measured.onScreenAt - knownAt;
    const longest = Math.max(0, ...measured.longTasks);
    process.stdout.write(
      `debug page: long tasks after the edit ${JSON.stringify(measured.longTasks.map(Math.round))} (max ${Math.round(longest)} ms), on screen ${toScreen} ms after the server's transition\n`,
    );
    expect(measured).toMatchObject({ renders: 0, same: true });
    expect(longest).toBeLessThan(MAX_LONG_TASK_MS);
    expect(toScreen).toBeLessThan(MAX_TO_SCREEN_MS);
    expect(await page.getAttribute('#diagram', 'data-current')).toBe('accepted__degraded__unresolvedRefs');
    await expect(page.locator('#diagram svg .current').count()).resolves.toBe(1);
    await expect(page.locator('tr.transition.fresh').count()).resolves.toBeGreaterThan(0);
    expect(await place()).toEqual(placeBefore);
  }, 60_000);

  it('marks the broken route: its state, a badge, the why line, first in its group', async () => {
    const row = actorRow('demo/app');
    expect(await row.getAttribute('data-health')).toBe('unhealthy');
    expect(await row.locator('.state').textContent()).toBe('accepted.degraded.unresolvedRefs');
    expect(await row.locator('.why').textContent()).toMatch(
      /ResolvedRefs=False BackendNotFound — Service demo\/api-renamed not found/,
    );
    expect(await page.locator('.group[data-kind="HTTPRoute"] .actor').first().getAttribute('data-actor')).toBe(
      await row.getAttribute('data-actor'),
    );
    expect(await page.locator('.group[data-kind="HTTPRoute"] h2').textContent()).toMatch(/1 unhealthy/);
    expect(await page.locator('#health').textContent()).toBe('unhealthy');
    expect(await page.textContent('#why')).toMatch(/BackendNotFound/);
    await mkdir(OUTPUT, { recursive: true });
    await page.evaluate(() => ['detail', 'list'].forEach((id) => (document.getElementById(id)!.scrollTop = 0)));
    // Tall enough to show the highlighted state in the diagram too.
    await page.setViewportSize({ width: 1240, height: 1540 });
    await page.evaluate(() =>
      (window as unknown as { reveal(box: Element, node: Element): void }).reveal(
        document.getElementById('diagram')!,
        document.querySelector('#diagram .current')!,
      ),
    );
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUTPUT, 'debug-page-route.png') });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('filters by kind, namespace, name and health', async () => {
    const shown = () =>
      page.locator('.actor').evaluateAll((rows) => rows.map((r) => r.querySelector('.name')!.textContent));
    await page.check('#unhealthy');
    await expect(shown()).resolves.toEqual(['demo/app']);
    await page.uncheck('#unhealthy');
    await page.selectOption('#namespace', 'team-b');
    await expect(shown()).resolves.toEqual(['team-b/edge', 'team-b/shop']);
    await page.selectOption('#kind', 'HTTPRoute');
    await expect(shown()).resolves.toEqual(['team-b/shop']);
    await page.selectOption('#namespace', '');
    await page.fill('#search', 'long-name');
    await expect(shown()).resolves.toEqual(LONG_NAMES.map((n) => `demo/${n}`));
    expect(await page.textContent('#summary')).toMatch(/^2 of \d+ actors · 1 unhealthy$/);
    await page.fill('#search', '');
    await page.selectOption('#kind', '');
    await page.evaluate(() => (document.getElementById('list')!.scrollTop = 0));
    await page.locator('#list').screenshot({ path: join(OUTPUT, 'debug-page-list.png') });
  });

  it('folds the replica heartbeat (inSync ⇄ checking) into one history line with a count', async () => {
    await actorRow('embedded proxy').click();
    // Newest first: the heartbeat's line (a config push folds the same way, into a line of its own).
    const folded = page.locator('tr.transition.folded').first();
    await eventually(
      async () =>
        /(checking ⇄ inSync|inSync ⇄ checking) ×\d+/.test((await folded.textContent({ timeout: 10_000 })) ?? ''),
      10_000,
      100,
    );
    const count = async () => Number(/×(\d+)/.exec((await folded.textContent())!)![1]);
    const before = await count();
    await eventually(async () => (await count()) > before, 10_000, 100);
    // The transitions before the heartbeat are still there.
    expect(await page.locator('tr.transition').count()).toBeLessThan(10);
    expect(await page.textContent('.transitions')).toMatch(/\(start\) → (discovered|checking)/);
  }, 30_000);

  it('draws every machine without clipped labels, and the resource machines without overlapping ones', async () => {
    const report = await page.evaluate(async () => {
      const w = window as unknown as {
        mermaid: { render(id: string, text: string): Promise<{ svg: string }> };
        pageDiagram(text: string): string;
      };
      const machines = (await (await fetch('machines')).json()) as Record<string, { mermaid: string }>;
      const hit = (a: DOMRect, b: DOMRect) =>
        a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
      const out: Record<string, { overlaps: string[]; clipped: string[] }> = {};
      for (const [id, m] of Object.entries(machines)) {
        const box = document.body.appendChild(document.createElement('div'));
        box.innerHTML = (await w.mermaid.render(`check-${id}`, w.pageDiagram(m.mermaid))).svg;
        const labels = [...box.querySelectorAll('g.edgeLabel')]
          .filter((g) => g.textContent)
          .map((g) => ({ text: g.textContent!, box: g.getBoundingClientRect() }));
        const nodes = [...box.querySelectorAll('g.node')].map((g) => ({
          text: g.textContent!,
          box: g.getBoundingClientRect(),
        }));
        const overlaps = labels.flatMap((a, i) =>
          [...labels.slice(i + 1), ...nodes].filter((b) => hit(a.box, b.box)).map((b) => `${a.text} / ${b.text}`),
        );
        const clipped = [...box.querySelectorAll('foreignObject')]
          .filter(
            (f) => (f.firstElementChild?.scrollWidth ?? 0) > (f as SVGForeignObjectElement).width.baseVal.value + 1,
          )
          .map((f) => f.textContent!);
        out[id] = { overlaps, clipped };
        box.remove();
      }
      return out;
    });
    process.stdout.write(`debug page diagrams: ${JSON.stringify(report)}\n`);
    for (const [id, { overlaps, clipped }] of Object.entries(report)) {
      expect({ id, clipped }).toEqual({ id, clipped: [] });
      if (['gatewayClass', 'gateway', 'route'].includes(id)) expect({ id, overlaps }).toEqual({ id, overlaps: [] });
    }
  }, 60_000);

  it("lists the coordinator's syncs; no console error, no request leaving the machine", async () => {
    await actorRow('coordinator').click();
    await page.waitForSelector('#syncs td');
    expect(await page.locator('#syncs tr').count()).toBeGreaterThan(1);
    expect(await page.textContent('#syncs')).toMatch(/pushed/);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
