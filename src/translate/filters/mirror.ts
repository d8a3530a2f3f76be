// RequestMirror (HTTPRequestMirrorFilter) → a resolved mirror target. A backendRef that cannot be resolved
// leaves the mirror out and is reported as a ResolvedRefs problem; an invalid percent or fraction is unsupported.
import { int, record } from '../../gatewayapi/values.js';
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
      tls: target.tls,
    };
    return { type: 'RequestMirror', requestMirror };
  },
};

/** percent (0–100) or fraction (numerator ≤ denominator), at most one of them; neither: every request. */
function mirrorPercent(m: Record<string, unknown>): number {
  if (m.percent !== undefined && m.fraction !== undefined)
    return unsupported('mirror percent and fraction exclude each other');
  if (m.percent !== undefined) {
    const percent = int(m.percent);
    if (percent === undefined || percent < 0 || percent > 100)
      return unsupported(`mirror percent ${JSON.stringify(m.percent)} is invalid`);
    return percent;
  }
  if (m.fraction === undefined) return 100;
  const fraction = record(m.fraction);
  const num = int(fraction.numerator);
  const den = int(fraction.denominator ?? 100);
  if (num === undefined || den === undefined || den <= 0 || num < 0 || num > den)
    return unsupported('mirror fraction is invalid');
  return Math.round((num / den) * 100 * 10_000) / 10_000;
}
