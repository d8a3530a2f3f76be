// Delivering the tunnel's connector token to whoever asked (standalone's --tunnel-token-file). The token only
// lets a local cloudflared connect: routing (ingress, DNS) never waits for it. A refusal (404, or an API token
// without the permission) is final and warned about once; a transient failure is retried on a later pass.
import { APIError } from 'cloudflare';
import type Cloudflare from 'cloudflare';
import type { Logger } from '../log.js';
import type { EdgeMetrics } from './metrics.js';
import { apiErrorText } from './errors.js';

export type TokenFailureReason = 'not_found' | 'forbidden' | 'client' | 'transient' | 'write';

export interface TokenDeliveryOptions {
  cf: Cloudflare;
  accountId: string;
  onTunnelToken?: (token: string) => Promise<void>;
  logger: Logger;
  metrics: Pick<EdgeMetrics, 'tokenFailures' | 'tokenDelivered'>;
}

export class TokenDelivery {
  private state: 'pending' | 'delivered' | 'refused' = 'pending';
  private inFlight?: Promise<void>;
  private warned = false;
  private lastError?: string;

  constructor(private readonly opts: TokenDeliveryOptions) {
    opts.metrics.tokenDelivered.set(0);
  }

  /** Why the token is not delivered, if it failed (never the token itself). */
  error(): string | undefined {
    return this.lastError;
  }

  /** Fetches and hands over the token unless done or refused; never throws. */
  deliver(tunnelId: string, signal?: AbortSignal): Promise<void> {
    if (!this.opts.onTunnelToken || this.state !== 'pending') return Promise.resolve();
    this.inFlight ??= this.attempt(tunnelId, signal).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async attempt(tunnelId: string, signal?: AbortSignal): Promise<void> {
    const { cf, accountId } = this.opts;
    let token: string;
    try {
      token = await cf.zeroTrust.tunnels.cloudflared.token.get(tunnelId, { account_id: accountId }, { signal });
    } catch (err) {
      return this.failed(tunnelId, reasonOf(err), describe(err));
    }
    try {
      await this.opts.onTunnelToken!(token);
    } catch (err) {
      return this.failed(tunnelId, 'write', (err as Error).message);
    }
    this.state = 'delivered';
    this.lastError = undefined;
    this.opts.metrics.tokenDelivered.set(1);
  }

  private failed(tunnelId: string, reason: TokenFailureReason, error: string): void {
    const final = reason === 'not_found' || reason === 'forbidden' || reason === 'client';
    if (final) this.state = 'refused';
    this.lastError = error;
    this.opts.metrics.tokenFailures.inc({ reason });
    if (this.warned) return;
    this.warned = true;
    this.opts.logger.warn(
      { tunnelId, reason, error, retry: !final },
      'tunnel connector token not delivered; ingress and DNS are still managed (cloudflared needs the token from elsewhere)',
    );
  }
}

function reasonOf(err: unknown): TokenFailureReason {
  if (!(err instanceof APIError) || typeof err.status !== 'number') return 'transient';
  if (err.status === 404) return 'not_found';
  if (err.status === 401 || err.status === 403) return 'forbidden';
  if (err.status === 429 || err.status >= 500) return 'transient';
  return 'client';
}

function describe(err: unknown): string {
  if (err instanceof APIError) return `Cloudflare API ${String(err.status)}: ${apiErrorText(err)}`;
  return err instanceof Error ? err.message : String(err);
}
