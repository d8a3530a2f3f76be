// The route set a CLI control-plane bench keeps on disk, and the single changes it makes to it: files of
// ROUTES_PER_FILE routes, ROUTES_PER_HOST routes to a hostname (issue 15's layout). Changes alternate a
// new route in a file of its own and a changed path on an existing route (its whole file rewritten). The
// last route is never changed: load and idle probes go to it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseManifests, hostLayout, routeFile, routeFileName, routeFiles, routeManifest } from './manifests.js';

export interface RouteLayout {
  dir: string;
  routes: number;
  /** Current path of route r-<i>. */
  paths: string[];
  /** Changes made so far (numbers the next one). */
  changes: number;
}

export interface RouteChange {
  kind: 'add' | 'path';
  file: string;
  content: string;
  /** A request for path on host answers 200 once the change is served (404 before). */
  path: string;
  host: string;
}

export function createLayout(dir: string, routes: number): RouteLayout {
  if (routes < 2) throw new Error('a layout needs at least 2 routes (the last one is never changed)');
  return { dir, routes, paths: Array.from({ length: routes }, (_, i) => `/r-${i}`), changes: 0 };
}

/** The route no change touches (the last one declared). */
export function unchangedRoute(layout: RouteLayout): { path: string; host: string } {
  const i = layout.routes - 1;
  return { path: layout.paths[i]!, host: hostLayout(i) };
}

/** The next change: even ones add a route (on an existing host), odd ones move an existing route's path. */
export function nextChange(layout: RouteLayout): RouteChange {
  const k = layout.changes++;
  // A stride prime to the route count visits routes all over the files; the last route is left out.
  const index = (k * 7919) % (layout.routes - 1);
  const host = hostLayout(index);
  if (k % 2 === 0) {
    const path = `/add-${k}`;
    return { kind: 'add', file: `add-${k}.yaml`, content: routeManifest(`add-${k}`, path, host), path, host };
  }
  const path = `/r-${index}-v${k}`;
  layout.paths[index] = path;
  const content = routeFile('r', index, layout.routes, (i) => layout.paths[i]!, hostLayout);
  return { kind: 'path', file: routeFileName('r', index), content, path, host };
}

export function writeChange(layout: RouteLayout, change: RouteChange): Promise<void> {
  return writeFile(join(layout.dir, change.file), change.content);
}

/** The Gateway, Service and endpoints in base.yaml, every route in its file. */
export async function writeLayout(layout: RouteLayout, backendPort: number): Promise<void> {
  await writeFile(join(layout.dir, 'base.yaml'), baseManifests(backendPort));
  const files = routeFiles('r', layout.routes, (i) => layout.paths[i]!, hostLayout);
  for (const [name, content] of files) await writeFile(join(layout.dir, name), content);
}
