// Named condition constructors with the exact upstream types and reasons. They return the condition
// without time and generation; `stampConditions` adds those at the edge (see translate/statuses.ts).
import type { Condition } from '../core/types.js';

export type ConditionSpec = Omit<Condition, 'observedGeneration' | 'lastTransitionTime'>;

/** Kubernetes caps condition messages at 32768 characters; ours list problems, so they are kept short. */
const MAX_MESSAGE = 2048;

function cond(type: string, ok: boolean, reason: string, message: string): ConditionSpec {
  const short = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
  return { type, status: ok ? 'True' : 'False', reason, message: short };
}

// GatewayClass
export const classAccepted = (note?: string): ConditionSpec =>
  cond(
    'Accepted',
    true,
    'Accepted',
    note === undefined ? 'GatewayClass is accepted' : `GatewayClass is accepted; ${note}`,
  );
export const classInvalidParameters = (msg: string): ConditionSpec => cond('Accepted', false, 'InvalidParameters', msg);
export const classSupportedVersion = (): ConditionSpec =>
  cond('SupportedVersion', true, 'SupportedVersion', 'Gateway API v1.6 CRDs are supported');

// Gateway
export const gatewayAccepted = (): ConditionSpec => cond('Accepted', true, 'Accepted', 'Gateway is accepted');
export const gatewayListenersNotValid = (accepted: boolean, msg: string): ConditionSpec =>
  cond('Accepted', accepted, 'ListenersNotValid', msg);
export const gatewayUnsupportedAddress = (msg: string): ConditionSpec =>
  cond('Accepted', false, 'UnsupportedAddress', msg);
export const gatewayInvalidParameters = (msg: string): ConditionSpec =>
  cond('Accepted', false, 'InvalidParameters', msg);
export const gatewayInvalid = (msg: string): ConditionSpec => cond('Accepted', false, 'Invalid', msg);
export const gatewayProgrammed = (): ConditionSpec =>
  cond('Programmed', true, 'Programmed', 'Gateway is programmed on the Cloudflare tunnel proxy');
export const gatewayNotProgrammed = (msg: string): ConditionSpec => cond('Programmed', false, 'Invalid', msg);
export const gatewayAddressNotUsable = (msg: string): ConditionSpec =>
  cond('Programmed', false, 'AddressNotUsable', msg);
/** Ours (ADR 0009): hostnames of this Gateway that the tunnel sends to an older Gateway's data port. */
export const GATEWAY_TUNNEL_HOSTNAMES = 'cloudflare-tunnel-gateway.dev/TunnelHostnames';
export const gatewayTunnelHostnamesTaken = (msg: string): ConditionSpec =>
  cond(GATEWAY_TUNNEL_HOSTNAMES, false, 'HostnameConflict', msg);

// Listener
export const listenerAccepted = (): ConditionSpec => cond('Accepted', true, 'Accepted', 'Listener is accepted');
export const listenerUnsupportedProtocol = (msg: string): ConditionSpec =>
  cond('Accepted', false, 'UnsupportedProtocol', msg);
export const listenerNotAcceptedConflict = (reason: ConflictReason, msg: string): ConditionSpec =>
  cond('Accepted', false, reason, msg);
export const listenerProgrammed = (): ConditionSpec => cond('Programmed', true, 'Programmed', 'Listener is programmed');
export const listenerNotProgrammed = (msg: string): ConditionSpec => cond('Programmed', false, 'Invalid', msg);
/** A conflicted listener is not programmed for that reason (the ListenerSet conflict tests ask for it). */
export const listenerNotProgrammedConflict = (reason: ConflictReason, msg: string): ConditionSpec =>
  cond('Programmed', false, reason, msg);
export const listenerResolvedRefs = (): ConditionSpec =>
  cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
export const listenerInvalidCertificateRef = (msg: string): ConditionSpec =>
  cond('ResolvedRefs', false, 'InvalidCertificateRef', msg);
export const listenerRefNotPermitted = (msg: string): ConditionSpec =>
  cond('ResolvedRefs', false, 'RefNotPermitted', msg);
export const listenerInvalidRouteKinds = (msg: string): ConditionSpec =>
  cond('ResolvedRefs', false, 'InvalidRouteKinds', msg);
export const listenerNoConflicts = (): ConditionSpec =>
  cond('Conflicted', false, 'NoConflicts', 'Listener has no conflicts');
export type ConflictReason = 'HostnameConflict' | 'ProtocolConflict';
export const listenerConflicted = (reason: ConflictReason, msg: string): ConditionSpec =>
  cond('Conflicted', true, reason, msg);

// ListenerSet (GEP-1713): Programmed mirrors Accepted's reason while the set is not accepted.
export const listenerSetAccepted = (): ConditionSpec =>
  cond('Accepted', true, 'Accepted', 'ListenerSet is accepted by its Gateway');
export const listenerSetListenersNotValid = (accepted: boolean, msg: string): ConditionSpec =>
  cond('Accepted', accepted, 'ListenersNotValid', msg);
export const listenerSetProgrammed = (): ConditionSpec =>
  cond('Programmed', true, 'Programmed', 'ListenerSet is programmed on the Cloudflare tunnel proxy');
export type ListenerSetRejectReason = 'NotAllowed' | 'ParentNotAccepted' | 'ListenersNotValid';
export const listenerSetNotProgrammed = (reason: ListenerSetRejectReason, msg: string): ConditionSpec =>
  cond('Programmed', false, reason, msg);
export const listenerSetRejected = (reason: ListenerSetRejectReason, msg: string): ConditionSpec[] => [
  cond('Accepted', false, reason, msg),
  listenerSetNotProgrammed(reason, msg),
];

// Route (per parent)
export const routeAccepted = (): ConditionSpec => cond('Accepted', true, 'Accepted', 'Route is accepted');
export const routeNotAllowedByListeners = (msg: string): ConditionSpec =>
  cond('Accepted', false, 'NotAllowedByListeners', msg);
export const routeNoMatchingParent = (msg: string): ConditionSpec => cond('Accepted', false, 'NoMatchingParent', msg);
export const routeNoMatchingListenerHostname = (msg: string): ConditionSpec =>
  cond('Accepted', false, 'NoMatchingListenerHostname', msg);
export const routeHostnameConflict = (msg: string): ConditionSpec => cond('Accepted', false, 'HostnameConflict', msg);
export const routeUnsupportedValue = (msg: string): ConditionSpec => cond('Accepted', false, 'UnsupportedValue', msg);
export const routePartiallyInvalid = (msg: string): ConditionSpec =>
  cond('PartiallyInvalid', true, 'UnsupportedValue', msg);
export const routeResolvedRefs = (): ConditionSpec =>
  cond('ResolvedRefs', true, 'ResolvedRefs', 'All references are resolved');
/**
 * InvalidBackendTLSPolicy is ours (the spec lets controllers add reasons): the referenced Service port is governed
 * by a BackendTLSPolicy that is not usable, which the spec counts as an invalid backendRef without naming a reason.
 */
export type RouteRefReason =
  'BackendNotFound' | 'InvalidKind' | 'RefNotPermitted' | 'UnsupportedProtocol' | 'InvalidBackendTLSPolicy';
export const routeRefsNotResolved = (reason: RouteRefReason, msg: string): ConditionSpec =>
  cond('ResolvedRefs', false, reason, msg);

// BackendTLSPolicy (per ancestor Gateway)
export const policyAccepted = (): ConditionSpec => cond('Accepted', true, 'Accepted', 'Policy is accepted');
export type PolicyRejectReason = 'Conflicted' | 'Invalid' | 'NoValidCACertificate';
export const policyNotAccepted = (reason: PolicyRejectReason, msg: string): ConditionSpec =>
  cond('Accepted', false, reason, msg);
export const policyResolvedRefs = (): ConditionSpec =>
  cond('ResolvedRefs', true, 'ResolvedRefs', 'All CA certificate references are resolved');
export type PolicyRefReason = 'InvalidCACertificateRef' | 'InvalidKind';
export const policyRefsNotResolved = (reason: PolicyRefReason, msg: string): ConditionSpec =>
  cond('ResolvedRefs', false, reason, msg);
