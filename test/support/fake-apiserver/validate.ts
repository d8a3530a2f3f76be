// Checks a real API server makes that clients get wrong: MicroTime fields (Lease renew/acquire times,
// events.k8s.io eventTime) must carry exactly six fractional digits, and Lease durations are integers.
import type { ResourceType } from './resources.js';
import type { Obj } from './store.js';
import { badRequest, invalid } from './errors.js';

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

export function validateObject(t: ResourceType, obj: Obj): void {
  if (t.kind === 'Lease' && t.group === 'coordination.k8s.io') {
    for (const field of ['acquireTime', 'renewTime']) microTime(obj.spec?.[field], `spec.${field}`, t);
    const d = obj.spec?.leaseDurationSeconds;
    if (d !== undefined && !Number.isInteger(d)) throw invalid(`Lease: spec.leaseDurationSeconds: Invalid value: ${d}`);
  }
  if (t.kind === 'Event' && t.group === 'events.k8s.io') {
    if (obj.eventTime === undefined) throw invalid('Event: eventTime: Required value');
    microTime(obj.eventTime, 'eventTime', t);
  }
}

function microTime(value: unknown, field: string, t: ResourceType): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !MICRO_TIME.test(value)) {
    // The API server fails decoding the body in this case, before validation.
    throw badRequest(
      `${t.kind} in version "v1" cannot be handled as a ${t.kind}: ${field}: parsing time "${String(value)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`,
    );
  }
}
