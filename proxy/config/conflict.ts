// Generation conflicts, as the proxy sees them. A push older than the running generation is refused (409);
// once in a while that is a late duplicate, but when the refused push carries *other content* than what
// runs, the pusher wants something this replica will not serve — e.g. someone pushed generation 2^53−1 and
// every later push of the control plane is "older". That replica is stuck until its pusher resyncs it, so
// it says so: /readyz answers 503 and the proxy_config_generation_conflict gauge is 1 until a push applies.
import type { ApplyResult } from './apply.js';

export interface GenerationConflict {
  /** The generation and version this replica runs. */
  running: { version: string; generation: number };
  /** The refused push. */
  refused: { version: string; generation: number };
}

export class ConflictTracker {
  private conflict: GenerationConflict | undefined;

  /** Called with every push's outcome: a refusal of other content sets the conflict, any success clears it. */
  note(result: ApplyResult): void {
    if (result.ok) this.conflict = undefined;
    else if (
      result.status === 409 &&
      result.conflict &&
      result.conflict.refused.version !== result.conflict.running.version
    )
      this.conflict = result.conflict;
  }

  current(): GenerationConflict | undefined {
    return this.conflict;
  }
}

export function conflictText(c: GenerationConflict): string {
  return `generation conflict: refused version ${c.refused.version} at generation ${c.refused.generation}, running ${c.running.version} at the newer generation ${c.running.generation}; waiting for a resync push`;
}
