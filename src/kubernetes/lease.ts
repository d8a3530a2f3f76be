// Leader election on a coordination.k8s.io/v1 Lease (client-node has no helper). Same rules as client-go's
// leaderelection: a lease is expired when its record has not changed for leaseDuration as observed on *our*
// clock (no trust in other nodes' clocks); every write carries the read resourceVersion, so two candidates
// cannot both win; times are MicroTime (six fractional digits) or a real API server rejects them.
// `KubernetesLease` implements the actor system's LeaseActions (the `leader` machine drives it).
import type { K8sObject } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import { KubeRest, isConflict, isNotFound } from './rest.js';
import type { LeaseActions } from '../runtime/actors/lease.js';

/** RFC 3339 with exactly six fractional digits, as metav1.MicroTime serializes. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaseTiming {
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops acting as leader (must be < leaseDuration). */
  renewDeadlineMs: number;
  renewIntervalMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  renewIntervalMs: 2_000,
  retryPeriodMs: 2_000,
};

export interface KubernetesLeaseOptions {
  rest: KubeRest;
  namespace: string;
  name: string;
  identity: string;
  timing?: Partial<LeaseTiming>;
  logger?: Logger;
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export class KubernetesLease implements LeaseActions {
  readonly timing: LeaseTiming & { renewDeadlineMs: number };
  private observed?: { fingerprint: string; at: number };
  private lastRenew = -Infinity;
  private readonly path: string;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly o: KubernetesLeaseOptions) {
    this.timing = { ...DEFAULT_LEASE_TIMING, ...o.timing };
    if (this.timing.renewDeadlineMs >= this.timing.leaseDurationMs)
      throw new Error('renewDeadline must be shorter than leaseDuration');
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
    this.now = o.now ?? Date.now;
    this.log = o.logger ?? silentLogger;
  }

  /** True while a renewal succeeded less than renewDeadline ago: the fence every leader-only write checks. */
  holds(): boolean {
    return this.now() - this.lastRenew < this.timing.renewDeadlineMs;
  }

  async tryAcquire(signal?: AbortSignal): Promise<boolean> {
    const lease = await this.read(signal);
    if (!lease) return this.create(signal);
    const spec = (lease.spec ?? {}) as LeaseSpec;
    if (spec.holderIdentity === this.o.identity) return this.write(lease, { renewTime: this.stamp() }, signal);
    if (spec.holderIdentity && !this.expired(lease)) return false;
    this.log.info({ lease: this.o.name, previous: spec.holderIdentity || null }, 'acquiring lease');
    return this.write(
      lease,
      {
        holderIdentity: this.o.identity,
        acquireTime: this.stamp(),
        renewTime: this.stamp(),
        leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
        leaseTransitions: (spec.leaseTransitions ?? 0) + 1,
      },
      signal,
    );
  }

  /** Renews; retries transient failures until the renew deadline (or the caller aborts). False once lost. */
  async renew(signal?: AbortSignal): Promise<boolean> {
    const deadline = this.lastRenew + this.timing.renewDeadlineMs;
    for (;;) {
      try {
        const lease = await this.read(signal);
        if (!lease || (lease.spec as LeaseSpec | undefined)?.holderIdentity !== this.o.identity) return false;
        return await this.write(lease, { renewTime: this.stamp() }, signal);
      } catch (err) {
        if (signal?.aborted || this.now() + this.timing.retryPeriodMs / 4 >= deadline) throw err;
        this.log.warn({ err: String(err) }, 'lease renewal failed; retrying');
        await sleep(this.timing.retryPeriodMs / 4, signal);
      }
    }
  }

  /** Gives the lease up so a follower can take over at once instead of waiting for expiry. */
  async release(): Promise<void> {
    this.lastRenew = -Infinity;
    const lease = await this.read();
    if (!lease || (lease.spec as LeaseSpec | undefined)?.holderIdentity !== this.o.identity) return;
    await this.o.rest
      .replace(`${this.path}/${encodeURIComponent(this.o.name)}`, {
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: this.stamp() },
      })
      .catch((err: unknown) => this.log.warn({ err: String(err) }, 'could not release lease'));
  }

  private async read(signal?: AbortSignal): Promise<K8sObject | undefined> {
    try {
      const lease = await this.o.rest.get(`${this.path}/${encodeURIComponent(this.o.name)}`, signal);
      this.observe(lease);
      return lease;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Remembers when (on our clock) the lease record last changed. */
  private observe(lease: K8sObject): void {
    const spec = (lease.spec ?? {}) as LeaseSpec;
    const fingerprint = `${spec.holderIdentity}|${spec.renewTime}|${spec.leaseTransitions}`;
    if (this.observed?.fingerprint !== fingerprint) this.observed = { fingerprint, at: this.now() };
  }

  private expired(lease: K8sObject): boolean {
    const seconds = (lease.spec as LeaseSpec | undefined)?.leaseDurationSeconds ?? this.timing.leaseDurationMs / 1000;
    return this.observed !== undefined && this.now() > this.observed.at + seconds * 1000;
  }

  private async create(signal?: AbortSignal): Promise<boolean> {
    const spec: LeaseSpec = {
      holderIdentity: this.o.identity,
      acquireTime: this.stamp(),
      renewTime: this.stamp(),
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      leaseTransitions: 0,
    };
    const started = this.now();
    try {
      await this.o.rest.create(
        this.path,
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec,
        },
        signal,
      );
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    this.lastRenew = started;
    return true;
  }

  private async write(lease: K8sObject, changes: LeaseSpec, signal?: AbortSignal): Promise<boolean> {
    const started = this.now();
    try {
      // The resourceVersion we read is the precondition: a concurrent writer makes this 409.
      await this.o.rest.replace(
        `${this.path}/${encodeURIComponent(this.o.name)}`,
        { ...lease, spec: { ...lease.spec, ...changes } },
        signal,
      );
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
    this.lastRenew = started; // measured from before the request: the conservative end
    return true;
  }

  private stamp(): string {
    return microTime(new Date(this.now()));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
