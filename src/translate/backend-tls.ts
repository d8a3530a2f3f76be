// Step 4a: BackendTLSPolicies → the TLS settings that govern each Service port. A policy targets a Service
// (targetRefs, same namespace), optionally one port by name (sectionName). Per (Service, sectionName) slot the
// oldest policy wins (then {namespace}/{name} order); the others are Conflicted. A port is governed by the slot
// naming it, else by the Service's whole-Service slot. A winning policy that is not usable (no valid CA, an
// invalid field) still governs: its backends fail closed, never in plaintext (GEP-1897).
import { caCertificateId, type BackendTls, type SubjectAltName } from '../../proxy/config/schema.js';
import type { z } from 'zod';
import type { K8sObject } from '../core/types.js';
import type { ConditionSpec, PolicyRefReason } from '../gatewayapi/conditions.js';
import * as c from '../gatewayapi/conditions.js';
import { CORE_GROUP } from '../gatewayapi/constants.js';
import { byAge, isRecord, record, records, str, namespaceOf } from '../gatewayapi/values.js';
import { caBundleOf } from './ca-bundle.js';
import { wellFormed } from './context.js';

export type TlsSettings = z.input<typeof BackendTls>;

export interface PolicyIR {
  obj: K8sObject;
  namespace: string;
  name: string;
  /** Usable settings, or undefined: the ports it governs fail closed. */
  settings: TlsSettings | undefined;
  /** Why it is not usable (for the route's ResolvedRefs message). */
  unusable: string | undefined;
  accepted: ConditionSpec;
  resolvedRefs: ConditionSpec;
}

export interface TlsSlot {
  /** "<namespace>/<service>#<sectionName or empty>" */
  key: string;
  winner: PolicyIR;
  losers: PolicyIR[];
}

export interface BackendTlsIndex {
  policies: PolicyIR[];
  /** Every claimed slot by key. */
  slots: ReadonlyMap<string, TlsSlot>;
  /** The slot governing a Service port, if any policy targets it. */
  slotFor(namespace: string, service: string, portName: string): TlsSlot | undefined;
  /** CA bundle id → PEM for every usable policy. */
  cas: ReadonlyMap<string, string>;
  /** Changes exactly when what rule translation reads from the index changes (memo.ts). */
  fingerprint: string;
}

type ConfigMapLookup = (namespace: string, name: string) => K8sObject | undefined;

export function buildBackendTlsIndex(snapshot: { backendTLSPolicies: K8sObject[] }, configMap: ConfigMapLookup) {
  const cas = new Map<string, string>();
  const policies = wellFormed(snapshot.backendTLSPolicies)
    .map((obj) => evaluatePolicy(obj, configMap, cas))
    .sort(byPrecedence);
  const slots = new Map<string, TlsSlot>();
  for (const p of policies) {
    for (const key of targetSlots(p)) {
      const slot = slots.get(key);
      // A policy claims each slot once (targetSlots), so a claimed slot's winner is an earlier policy.
      if (slot === undefined) slots.set(key, { key, winner: p, losers: [] });
      else slot.losers.push(p);
    }
  }
  const fingerprint = JSON.stringify(
    [...slots.values()].map((s) => [s.key, s.winner.namespace, s.winner.name, s.winner.settings, s.winner.unusable]),
  );
  const slotFor = (ns: string, service: string, portName: string) =>
    slots.get(slotKey(ns, service, portName)) ?? slots.get(slotKey(ns, service, ''));
  return { policies, slots, slotFor, cas, fingerprint } satisfies BackendTlsIndex;
}

const slotKey = (ns: string, service: string, section: string) => `${ns}/${service}#${section}`;

/** The slots a policy claims: its Service targets, each with its sectionName (or the whole Service). */
function targetSlots(p: PolicyIR): string[] {
  const keys = records(record(p.obj.spec).targetRefs)
    .filter((t) => (str(t.group) ?? '') === CORE_GROUP && t.kind === 'Service' && str(t.name))
    .map((t) => slotKey(p.namespace, t.name as string, str(t.sectionName) ?? ''));
  return [...new Set(keys)];
}

/** The spec's precedence between policies claiming one slot (byAge). */
function byPrecedence(a: PolicyIR, b: PolicyIR): number {
  return byAge(a.obj, b.obj);
}

/** PreciseHostname of the API: lower-case DNS labels, no wildcard. */
const PRECISE_HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

function evaluatePolicy(obj: K8sObject, configMap: ConfigMapLookup, cas: Map<string, string>): PolicyIR {
  const namespace = namespaceOf(obj);
  const validation = record(record(obj.spec).validation);
  const refs = caRefs(validation.caCertificateRefs, namespace, configMap);
  const resolvedRefs = refs.problems.length
    ? c.policyRefsNotResolved(refs.problems[0]!.reason, refs.problems.map((p) => p.message).join('; '))
    : c.policyResolvedRefs();
  const base = { obj, namespace, name: obj.metadata.name, resolvedRefs };
  const invalid = validationProblem(validation);
  if (invalid)
    return { ...base, settings: undefined, unusable: invalid, accepted: c.policyNotAccepted('Invalid', invalid) };
  const sans = records(validation.subjectAltNames).map(subjectAltName);
  if (validation.wellKnownCACertificates === undefined && refs.certs.length === 0) {
    const why = `no valid CA certificate: ${refs.problems.map((p) => p.message).join('; ')}`;
    return { ...base, settings: undefined, unusable: why, accepted: c.policyNotAccepted('NoValidCACertificate', why) };
  }
  let ca = 'system';
  if (refs.certs.length) {
    const pem = [...new Set(refs.certs)].join('');
    ca = caCertificateId(pem);
    cas.set(ca, pem);
  }
  const settings: TlsSettings = { serverName: validation.hostname as string, ca };
  if (sans.length) settings.subjectAltNames = sans as z.input<typeof SubjectAltName>[];
  return { ...base, settings, unusable: undefined, accepted: c.policyAccepted() };
}

/** What makes the policy's validation block unusable whatever its CA references say, or undefined. */
function validationProblem(v: Record<string, unknown>): string | undefined {
  const hostname = str(v.hostname);
  if (!hostname || !PRECISE_HOSTNAME.test(hostname))
    return `validation.hostname ${JSON.stringify(v.hostname ?? null)} is not a precise hostname`;
  const wellKnown = v.wellKnownCACertificates;
  const hasRefs = records(v.caCertificateRefs).length > 0;
  if (wellKnown !== undefined && wellKnown !== '' && hasRefs)
    return 'validation must not set both caCertificateRefs and wellKnownCACertificates';
  if (wellKnown !== undefined && wellKnown !== 'System')
    return `wellKnownCACertificates ${JSON.stringify(wellKnown)} is not supported (only System)`;
  if (wellKnown === undefined && !hasRefs)
    return 'validation sets neither caCertificateRefs nor wellKnownCACertificates';
  const sans = Array.isArray(v.subjectAltNames) ? v.subjectAltNames : [];
  if (sans.length > 5) return 'validation.subjectAltNames has more than 5 entries';
  const bad = sans.findIndex((s) => !isRecord(s) || subjectAltName(s) === undefined);
  if (bad !== -1) return `validation.subjectAltNames[${bad}] needs type Hostname with a hostname or URI with a uri`;
  return undefined;
}

function subjectAltName(s: Record<string, unknown>): z.input<typeof SubjectAltName> | undefined {
  const hostname = str(s.hostname);
  const uri = str(s.uri);
  if (s.type === 'Hostname' && hostname && hostname.length <= 253) return { type: 'Hostname', hostname };
  if (s.type === 'URI' && uri && /^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(uri) && uri.length <= 4096)
    return { type: 'URI', uri };
  return undefined;
}

interface RefProblem {
  reason: PolicyRefReason;
  message: string;
}

/** The certificates of every usable reference (ConfigMaps in the policy's namespace), and what is wrong with the rest. */
function caRefs(raw: unknown, namespace: string, configMap: ConfigMapLookup) {
  const certs: string[] = [];
  const problems: RefProblem[] = [];
  for (const ref of records(raw)) {
    const group = str(ref.group) ?? '';
    const kind = str(ref.kind) ?? '';
    const name = str(ref.name) ?? '';
    if (group !== CORE_GROUP || kind !== 'ConfigMap') {
      problems.push({ reason: 'InvalidKind', message: `${group || 'core'}/${kind} ${name} is not a ConfigMap` });
      continue;
    }
    const cm = configMap(namespace, name);
    const bundle = cm ? caBundleOf(cm) : { problem: 'not found' };
    if ('problem' in bundle)
      problems.push({ reason: 'InvalidCACertificateRef', message: `ConfigMap ${namespace}/${name} ${bundle.problem}` });
    else certs.push(...bundle.certs);
  }
  return { certs, problems };
}
