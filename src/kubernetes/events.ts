// Kubernetes Events (events.k8s.io/v1) for notable status transitions: a Gateway or route becoming
// Accepted/Programmed or losing it. Best effort: a failed Event never fails the status write it reports.
import type { Condition, ResourceStatus } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { KubeRest } from './rest.js';
import { microTime } from './lease.js';

export interface EventRecorderOptions {
  rest: KubeRest;
  controllerName: string;
  /** Pod name (or host name): which instance reported. */
  instance: string;
  /** Where Events about cluster-scoped objects (GatewayClass) go. */
  defaultNamespace: string;
  logger?: Logger;
  now?: () => Date;
}

export interface Regarding {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
}

const NOTABLE = new Set(['Accepted', 'Programmed', 'ResolvedRefs']);

export class EventRecorder {
  constructor(private readonly o: EventRecorderOptions) {}

  /** Records one Event per notable condition whose status differs between `before` and `after`. */
  async transitions(regarding: Regarding, before: Condition[], after: Condition[]): Promise<number> {
    let sent = 0;
    for (const c of after) {
      if (!NOTABLE.has(c.type)) continue;
      const prev = before.find((b) => b.type === c.type);
      if (prev && prev.status === c.status && prev.reason === c.reason) continue;
      await this.record(
        regarding,
        c.status === 'False' ? 'Warning' : 'Normal',
        c.reason,
        `${c.type}=${c.status}: ${c.message}`,
      );
      sent++;
    }
    return sent;
  }

  async record(regarding: Regarding, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void> {
    const namespace = regarding.namespace || this.o.defaultNamespace;
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { generateName: `${regarding.name}.`, namespace },
      eventTime: microTime((this.o.now ?? (() => new Date()))()),
      reportingController: this.o.controllerName,
      reportingInstance: this.o.instance,
      action: 'StatusChanged',
      reason: reason || 'Unknown',
      type,
      note: note.slice(0, 1024),
      regarding,
    };
    try {
      await this.o.rest.create(`/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, event);
    } catch (err) {
      (this.o.logger ?? silentLogger).warn(
        { err: String(err), regarding: regarding.name, reason },
        'could not record event',
      );
    }
  }
}

/** Conditions a status carries at its top level, or per our route parent or policy ancestor, for transition detection. */
export function conditionsOf(status: ResourceStatus['status'] | undefined, controllerName: string): Condition[] {
  if (!status) return [];
  const entries = Array.isArray(status.parents) ? status.parents : status.ancestors;
  if (Array.isArray(entries)) {
    return (entries as { controllerName?: string; conditions?: Condition[] }[])
      .filter((p) => p.controllerName === controllerName)
      .flatMap((p) => p.conditions ?? []);
  }
  return Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
}
