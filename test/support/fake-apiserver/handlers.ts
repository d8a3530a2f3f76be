// Request handlers for resource paths: list, watch, get, create, update, patch, delete, deletecollection,
// and the status subresource. Objects are answered in the version the client asked for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { groupVersion } from './resources.js';
import type { Obj, Store } from './store.js';
import type { ResourcePath } from './routes.js';
import type { WatchHub } from './watch.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { applyPatch } from './patch.js';
import { validateObject } from './validate.js';
import { toTable, wantsTable } from './table.js';
import { validateCustomResource } from './schema-validate.js';
import { applyDefaults } from './defaults.js';

export interface Reply {
  status: number;
  body: unknown;
}

export function handleResource(
  store: Store,
  hub: WatchHub,
  p: ResourcePath,
  method: string,
  url: URL,
  body: unknown,
  req: IncomingMessage,
  res: ServerResponse,
): Reply | undefined {
  const q = url.searchParams;
  const ns = p.namespace ?? '';
  const relabel = (o: Obj): Obj => ({ ...o, apiVersion: groupVersion(p.resource.group, p.version) });
  if (p.subresource && (p.subresource !== 'status' || !p.resource.hasStatus)) {
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (!p.name) {
    if (method === 'GET' && isWatch(q)) {
      hub.open(res, {
        resource: p.resource,
        version: p.version,
        namespace: p.namespace,
        resourceVersion: q.get('resourceVersion') ?? '',
        select: selector(q),
        bookmarks: q.get('allowWatchBookmarks') === 'true',
        timeoutSeconds: q.has('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : undefined,
      });
      return undefined;
    }
    if (method === 'GET') {
      const list = listBody(store, p, q);
      if (wantsTable(req.headers.accept))
        return { status: 200, body: toTable(p.resource, p.version, list.items, list.metadata.resourceVersion) };
      return { status: 200, body: list };
    }
    if (method === 'POST') {
      const obj = requireObject(body, p);
      validateObject(p.resource, obj);
      checkSchema(p, obj, q);
      return { status: 201, body: relabel(store.create(p.resource, ns || obj.metadata?.namespace || '', obj)) };
    }
    if (method === 'DELETE') {
      const select = selector(q);
      for (const o of store.list(p.resource, p.namespace).filter(select))
        store.delete(p.resource, ns || o.metadata.namespace, o.metadata.name);
      return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    }
    throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported on a collection`);
  }
  const current = () => {
    const found = store.get(p.resource, ns, p.name!);
    if (!found) throw notFound(p.resource.plural, p.name!, p.resource.group);
    return found;
  };
  const sub = p.subresource === 'status' ? 'status' : undefined;
  switch (method) {
    case 'GET': {
      const obj = relabel(current());
      if (wantsTable(req.headers.accept) && !sub)
        return { status: 200, body: toTable(p.resource, p.version, [obj], obj.metadata.resourceVersion) };
      return { status: 200, body: obj };
    }
    case 'PUT': {
      const obj = requireObject(body, p);
      if (obj.metadata?.name !== p.name)
        throw badRequest(
          `the name of the object (${obj.metadata?.name}) does not match the name on the URL (${p.name})`,
        );
      validateObject(p.resource, obj);
      checkSchema(p, obj, q);
      return { status: 200, body: relabel(store.update(p.resource, ns, p.name, obj, sub)) };
    }
    case 'PATCH': {
      const base = current();
      const patched = applyPatch(base, body, req.headers['content-type'] ?? '', !p.resource.hasGeneration);
      if (patched?.metadata?.resourceVersion === undefined)
        patched.metadata = { ...patched.metadata, resourceVersion: base.metadata.resourceVersion };
      validateObject(p.resource, patched);
      checkSchema(p, patched, q);
      return { status: 200, body: relabel(store.update(p.resource, ns, p.name, patched, sub)) };
    }
    case 'DELETE':
      return { status: 200, body: relabel(store.delete(p.resource, ns, p.name)) };
    default:
      throw new ApiError(405, 'MethodNotAllowed', `${method} is not supported`);
  }
}

/** CRD schema check of what will be stored: defaulted, then pruned (in place, as the server stores it), then validated. */
function checkSchema(p: ResourcePath, obj: Obj, q: URLSearchParams): void {
  if (!p.resource.schemas) return;
  applyDefaults(obj, p.resource.schemas[p.version] ?? p.resource.schemas[p.resource.versions[0]!]);
  validateCustomResource(p.resource, p.version, obj, q.get('fieldValidation'));
}

function isWatch(q: URLSearchParams): boolean {
  return q.get('watch') === 'true' || q.get('watch') === '1';
}

function selector(q: URLSearchParams): (o: Obj) => boolean {
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(q.get('fieldSelector'));
  return (o) => labels(o) && fields(o);
}

function listBody(store: Store, p: ResourcePath, q: URLSearchParams): Obj {
  const select = selector(q);
  const items = store
    .list(p.resource, p.namespace)
    .filter(select)
    .map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  return {
    kind: `${p.resource.kind}List`,
    apiVersion: groupVersion(p.resource.group, p.version),
    metadata: { resourceVersion: String(store.rv) },
    items,
  };
}

function requireObject(body: unknown, p: ResourcePath): Obj {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const obj = body as Obj;
  if (obj.kind && obj.kind !== p.resource.kind)
    throw badRequest(`the kind ${obj.kind} does not match ${p.resource.kind}`);
  if (p.namespace && obj.metadata?.namespace && obj.metadata.namespace !== p.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  return obj;
}
