// GatewayClass parameters the translator acts on, read from the ConfigMap its parametersRef names. Only
// `accessLog` concerns the proxy config; the Cloudflare keys go to the edge (src/cloudflare/params.ts).
import type { K8sObject } from '../core/types.js';
import { isRecord, namespaceOf, str } from '../gatewayapi/values.js';

export interface ClassParameters {
  /** The proxies write one access-log line per request (the proxy's --access-log may override it). */
  accessLog: boolean;
  /**
   * A value that was not understood and is ignored, said in the class's Accepted message. Ignored rather
   * than refused: a refused class takes its Gateways down, too high a price for a logging switch.
   */
  ignored?: string;
}

const NONE: ClassParameters = { accessLog: false };

/**
 * A ConfigMap the snapshot does not hold counts as one without parameters: the controller sees only the
 * ConfigMap it is told to watch, and a folder of manifests may not carry one.
 */
export function classParameters(ref: unknown, configMaps: readonly K8sObject[]): ClassParameters {
  if (!isRecord(ref) || ref.kind !== 'ConfigMap' || (str(ref.group) ?? '') !== '') return NONE;
  const name = str(ref.name);
  const namespace = str(ref.namespace) ?? '';
  const found = configMaps.find((c) => c.metadata.name === name && namespaceOf(c) === namespace);
  const given: unknown = isRecord(found?.data) ? found.data.accessLog : undefined;
  const raw = typeof given === 'string' ? given.trim() : given;
  if (raw === undefined || raw === 'false') return NONE;
  if (raw === 'true') return { accessLog: true };
  const shown = JSON.stringify(typeof raw === 'string' ? raw.slice(0, 64) : raw);
  return { accessLog: false, ignored: `parameter accessLog ignored: it must be "true" or "false", not ${shown}` };
}
