// RequestMirror (HTTPRequestMirrorFilter) → a resolved mirror target. A backendRef that cannot be resolved
// leaves the mirror out and is reported as a ResolvedRefs problem; an invalid fraction is unsupported.
import { int, isRecord, record } from '../../gatewayapi/values.js';
import { resolveRef } from '../backends.js';
import type { FilterInputOf, FilterTranslator } from './kind.js';
import { unsupported } from './kind.js';

type MirrorInput = FilterInputOf<'RequestMirror'>['requestMirror'];

export const requestMirror: FilterTranslator<'RequestMirror'> = {
  type: 'RequestMirror',
  routeKinds: ['HTTPRoute', 'GRPCRoute'],
  translate(f, { ctx, kind, ns }, notes) {
    const m = record(f.requestMirror);
    // Mirrored gRPC still goes out as h2c; the RouteKind only decides the reference grant's "from".
    const target = resolveRef(ctx, kind, ns, record(m.backendRef));
    if (target.tlsSlot) notes.tlsSlots.push(target.tlsSlot);
    if (target.problem) {
      notes.problems.push(target.problem);
      return undefined;
    }
    const requestMirror: MirrorInput = {
      name: target.name,
      endpoints: target.endpoints,
      protocol: target.protocol === 'h2c' ? 'h2c' : 'http1',
      percent: mirrorPercent(m),
    };
    if (target.tls) requestMirror.tls = target.tls;
    return { type: 'RequestMirror', requestMirror };
  },
};

function mirrorPercent(m: Record<string, unknown>): number {
  if (int(m.percent) !== undefined) return Math.min(100, Math.max(0, m.percent as number));
  if (isRecord(m.fraction)) {
    const num = int(m.fraction.numerator) ?? 0;
    const den = int(m.fraction.denominator) ?? 100;
    if (den <= 0 || num < 0 || num > den) unsupported('mirror fraction is invalid');
    return Math.round((num / den) * 100 * 10_000) / 10_000;
  }
  return 100;
}
