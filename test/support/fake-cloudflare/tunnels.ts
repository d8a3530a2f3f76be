// Cloudflare Tunnel endpoints of the double: /accounts/:account/cfd_tunnel[...].
import { randomBytes } from 'node:crypto';
import { ApiFault, badRequest, objectBody, paginate, success, type ApiRequest, type Route } from './envelope.js';
import { tunnelView, type FakeStore, type FakeTunnel } from './store.js';

const ACCOUNT = '/accounts/([^/]+)/cfd_tunnel';
const TUNNEL = `${ACCOUNT}/([^/]+)`;

export function tunnelRoutes(store: FakeStore): Route[] {
  const account = (id: string): void => {
    if (id !== store.accountId) throw new ApiFault(403, 10000, 'Authentication error');
  };
  const live = (id: string): FakeTunnel => {
    const t = store.tunnels.get(id);
    if (!t || t.deleted_at) throw new ApiFault(404, 1002, 'Tunnel not found');
    return t;
  };
  return [
    { method: 'GET', pattern: re(ACCOUNT), handle: (req, [acc]) => (account(acc!), listTunnels(store, req)) },
    { method: 'POST', pattern: re(ACCOUNT), handle: (req, [acc]) => (account(acc!), createTunnel(store, req)) },
    {
      method: 'GET',
      pattern: re(TUNNEL),
      handle: (_req, [acc, id]) => (account(acc!), success(tunnelView(live(id!)))),
    },
    {
      method: 'DELETE',
      pattern: re(TUNNEL),
      handle: (_req, [acc, id]) => {
        account(acc!);
        const t = live(id!);
        t.deleted_at = store.now();
        return success(tunnelView(t));
      },
    },
    {
      method: 'GET',
      pattern: re(`${TUNNEL}/token`),
      handle: (_req, [acc, id]) => (account(acc!), success(store.tokenOf(live(id!)))),
    },
    {
      method: 'GET',
      pattern: re(`${TUNNEL}/configurations`),
      handle: (_req, [acc, id]) => {
        account(acc!);
        live(id!);
        return success(store.configs.get(id!));
      },
    },
    {
      method: 'PUT',
      pattern: re(`${TUNNEL}/configurations`),
      handle: (req, [acc, id]) => {
        account(acc!);
        live(id!);
        const config = validateConfig(objectBody(req.body).config);
        return success(store.putConfig(id!, config));
      },
    },
  ];
}

function re(path: string): RegExp {
  return new RegExp(`^${path}$`);
}

function listTunnels(store: FakeStore, req: ApiRequest) {
  const q = req.query;
  const deleted = q.get('is_deleted');
  const items = [...store.tunnels.values()]
    .filter((t) => !q.has('name') || t.name === q.get('name'))
    .filter((t) => !q.has('uuid') || t.id === q.get('uuid'))
    .filter((t) => !q.has('include_prefix') || t.name.startsWith(q.get('include_prefix')!))
    .filter((t) => !q.has('exclude_prefix') || !t.name.startsWith(q.get('exclude_prefix')!))
    .filter((t) => deleted === null || (deleted === 'true') === (t.deleted_at !== null))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  const { page, info } = paginate(items.map(tunnelView), q, { defaultPerPage: 20, maxPerPage: 1000 });
  return success(page, info);
}

function createTunnel(store: FakeStore, req: ApiRequest) {
  const body = objectBody(req.body);
  const name = body.name;
  if (typeof name !== 'string' || name.trim() === '') throw badRequest(1001, 'Tunnel name is required');
  if ([...store.tunnels.values()].some((t) => t.name === name && !t.deleted_at)) {
    throw new ApiFault(409, 1013, 'You already have a tunnel with this name');
  }
  const secret = body.tunnel_secret;
  if (secret !== undefined && (typeof secret !== 'string' || Buffer.from(secret, 'base64').length < 32)) {
    throw badRequest(1001, 'tunnel_secret must be at least 32 bytes, base64 encoded');
  }
  const tunnel = store.addTunnel(name, (secret as string | undefined) ?? randomBytes(32).toString('base64'));
  tunnel.config_src = body.config_src === 'cloudflare' ? 'cloudflare' : 'local';
  tunnel.remote_config = tunnel.config_src === 'cloudflare';
  const credentials_file = {
    AccountTag: tunnel.account_tag,
    TunnelID: tunnel.id,
    TunnelName: tunnel.name,
    TunnelSecret: tunnel.secret,
  };
  return success({ ...tunnelView(tunnel), credentials_file, token: store.tokenOf(tunnel) });
}

/** The checks cloudflared's ingress parser would make: a service per rule and a catch-all last. */
function validateConfig(config: unknown): Record<string, unknown> {
  const cfg = objectBody(config);
  const ingress = cfg.ingress;
  if (ingress === undefined) return cfg;
  if (!Array.isArray(ingress)) throw badRequest(1055, 'ingress must be a list of rules');
  ingress.forEach((rule: unknown, i: number) => {
    const r = objectBody(rule);
    if (typeof r.service !== 'string' || r.service === '')
      throw badRequest(1055, `Ingress rule #${i + 1} has no service`);
    if (r.hostname !== undefined && (typeof r.hostname !== 'string' || r.hostname.slice(1).includes('*'))) {
      throw badRequest(1055, `Ingress rule #${i + 1}: hostname can only have a wildcard as its first label`);
    }
  });
  const last = ingress.at(-1) as Record<string, unknown> | undefined;
  if (last && (last.hostname || last.path)) {
    throw badRequest(
      1056,
      'The last ingress rule must match all URLs (i.e. it should not have a hostname or path filter)',
    );
  }
  return cfg;
}
