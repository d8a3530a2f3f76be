// Step 1: GatewayClasses. Ours are those whose spec.controllerName is options.controllerName; the rest get
// no status from us.
import type { K8sObject } from '../core/types.js';
import {
  classAccepted,
  classInvalidParameters,
  classSupportedVersion,
  type ConditionSpec,
} from '../gatewayapi/conditions.js';
import { SUPPORTED_FEATURES } from '../gatewayapi/constants.js';
import { isRecord, record, str } from '../gatewayapi/values.js';
import { wellFormed, type Context } from './context.js';
import { classParameters } from './parameters.js';

export interface ClassResult {
  obj: K8sObject;
  name: string;
  accepted: boolean;
  /** Its parameters ask for the proxies' access log. */
  accessLog: boolean;
  conditions: ConditionSpec[];
  supportedFeatures: Array<{ name: string }>;
}

export function processClasses(ctx: Context): Map<string, ClassResult> {
  const out = new Map<string, ClassResult>();
  for (const obj of wellFormed(ctx.snapshot.gatewayClasses)) {
    if (record(obj.spec).controllerName !== ctx.options.controllerName) continue;
    const ref = record(obj.spec).parametersRef;
    const problem = parametersProblem(ref);
    const params = classParameters(ref, ctx.configMaps);
    out.set(obj.metadata.name, {
      obj,
      name: obj.metadata.name,
      accepted: !problem,
      accessLog: !problem && params.accessLog,
      conditions: [problem ? classInvalidParameters(problem) : classAccepted(params.ignored), classSupportedVersion()],
      supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
    });
  }
  return out;
}

/**
 * A ConfigMap parametersRef with a namespace is accepted (what we read from it: parameters.ts; the Cloudflare
 * keys are the edge's); any other kind names a resource we do not understand and is refused.
 */
function parametersProblem(ref: unknown): string | undefined {
  if (ref === undefined) return undefined;
  if (!isRecord(ref)) return 'parametersRef is malformed';
  const group = str(ref.group) ?? '';
  if (group !== '' || ref.kind !== 'ConfigMap') return unsupportedKind(ref, group);
  // A GatewayClass has no namespace of its own to default to (the spec requires one for namespaced kinds).
  return str(ref.namespace) ? undefined : 'parametersRef to a ConfigMap needs a namespace';
}

function unsupportedKind(ref: Record<string, unknown>, group: string): string {
  return `parametersRef ${group || 'core'}/${String(ref.kind)} is not supported: only a ConfigMap of the core group may be referenced`;
}
