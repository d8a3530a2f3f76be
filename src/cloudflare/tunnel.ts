// Tunnel lifecycle: use the configured tunnel, or find-or-create a remotely managed one whose name carries
// our owner tag, then hand its connector token to the caller (never logged, never hard-coded; see
// tunnel-token.ts: a token that cannot be had never blocks routing).
import { createHash } from 'node:crypto';
import { ConflictError } from 'cloudflare';
import type Cloudflare from 'cloudflare';
import type { Logger } from '../log.js';
import type { EdgeMetrics } from './metrics.js';
import { listAllPages } from './pages.js';
import { TokenDelivery } from './tunnel-token.js';

export const DEFAULT_TUNNEL_NAME = 'cloudflare-tunnel-gateway';

export interface TunnelOptions {
  cf: Cloudflare;
  accountId: string;
  /** A tunnel id to use as is; 'create' or absent: find-or-create by name. */
  tunnelId?: string;
  tunnelName?: string;
  ownerId: string;
  onTunnelToken?: (token: string) => Promise<void>;
  logger: Logger;
  metrics: Pick<EdgeMetrics, 'tokenFailures' | 'tokenDelivered'>;
}

/** Short, stable tag of the owner id: two controllers (or a person) never share a tunnel name by accident. */
export function ownerTag(ownerId: string): string {
  return createHash('sha256').update(ownerId).digest('hex').slice(0, 8);
}

/** "<tunnelName>-<owner tag>": the name alone tells which controller owns the tunnel. */
export function derivedTunnelName(tunnelName: string | undefined, ownerId: string): string {
  return `${tunnelName || DEFAULT_TUNNEL_NAME}-${ownerTag(ownerId)}`;
}

export class TunnelResolver {
  private id?: string;
  private pending?: Promise<string>;
  private readonly token: TokenDelivery;

  constructor(private readonly opts: TunnelOptions) {
    const { cf, accountId, onTunnelToken, logger, metrics } = opts;
    this.token = new TokenDelivery({ cf, accountId, onTunnelToken, logger, metrics });
  }

  /** Why the connector token was not delivered, if it was asked for and failed. */
  tokenError(): string | undefined {
    return this.token.error();
  }

  /** The tunnel id once resolved (or the configured one). */
  current(): string | undefined {
    return this.id ?? (this.opts.tunnelId && this.opts.tunnelId !== 'create' ? this.opts.tunnelId : undefined);
  }

  /** Resolves once per process (a failure is retried on the next call), then delivers the token if still due. */
  async ensure(signal?: AbortSignal): Promise<string> {
    const id = await this.resolveOnce(signal);
    await this.token.deliver(id, signal);
    return id;
  }

  private resolveOnce(signal?: AbortSignal): Promise<string> {
    if (this.id) return Promise.resolve(this.id);
    this.pending ??= this.resolve(signal).then(
      (id) => {
        this.id = id;
        this.pending = undefined;
        return id;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }

  private async resolve(signal?: AbortSignal): Promise<string> {
    const { cf, accountId, tunnelId, logger } = this.opts;
    let id: string;
    if (tunnelId && tunnelId !== 'create') {
      const t = await cf.zeroTrust.tunnels.cloudflared.get(tunnelId, { account_id: accountId }, { signal });
      if (t.deleted_at) throw new Error(`tunnel ${tunnelId} is deleted`);
      id = tunnelId;
    } else {
      id = await this.findOrCreate(signal);
    }
    logger.info({ tunnelId: id }, 'cloudflare tunnel ready');
    return id;
  }

  private async findOrCreate(signal?: AbortSignal): Promise<string> {
    const { cf, accountId, logger } = this.opts;
    const name = derivedTunnelName(this.opts.tunnelName, this.opts.ownerId);
    const find = async (): Promise<string | undefined> => {
      const found = await listAllPages(50, (page, per_page) =>
        cf.zeroTrust.tunnels.cloudflared.list(
          { account_id: accountId, name, is_deleted: false, page, per_page },
          { signal },
        ),
      );
      return found.find((t) => t.name === name && !t.deleted_at)?.id;
    };
    const existing = await find();
    if (existing) {
      logger.info({ tunnelId: existing, name }, 'reusing our cloudflare tunnel');
      return existing;
    }
    try {
      const created = await cf.zeroTrust.tunnels.cloudflared.create(
        { account_id: accountId, name, config_src: 'cloudflare' },
        { signal },
      );
      logger.info({ tunnelId: created.id, name }, 'created cloudflare tunnel');
      return created.id!;
    } catch (err) {
      // Another replica of us created it between our list and our create: use theirs.
      if (err instanceof ConflictError) {
        const raced = await find();
        if (raced) return raced;
      }
      throw err;
    }
  }
}
