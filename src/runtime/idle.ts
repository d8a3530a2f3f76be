// "Nothing in flight" for ControlPlane.whenIdle(): walk the actor tree and look for busy states.
import type { AnyActorRef, StateValue } from 'xstate';
import { statePaths } from '../debug/actors.js';

/** States in which an actor is still working towards a result (backoff is waiting, not working). */
const BUSY: Record<string, string[]> = {
  coordinator: ['syncing', 'settling'],
  replica: ['discovered', 'checking', 'pushing', 'reconciled'],
  edge: ['reconciling', 'reconciled'],
  statusWriter: ['active.writing'],
};

type Snap = { status: string; value?: StateValue; context?: { pending?: unknown[]; outbox?: unknown[] }; machine?: { id: string }; children?: Record<string, AnyActorRef | undefined> };

function isActorIdle(snap: Snap): boolean {
  if (!snap.machine || snap.status !== 'active' || snap.value === undefined) return true;
  const machine = snap.machine.id;
  const paths = statePaths(snap.value);
  if ((BUSY[machine] ?? []).some((busy) => paths.includes(busy))) return false;
  // Resource events still queued will be handed out next.
  if (machine === 'coordinator' && (snap.context?.outbox?.length ?? 0) > 0) return false;
  // A writer that leads and still has statuses queued will write them next.
  if (machine === 'statusWriter' && paths.includes('active.idle') && (snap.context?.pending?.length ?? 0) > 0) return false;
  return true;
}

export function isSystemIdle(root: AnyActorRef): boolean {
  const stack = [root];
  while (stack.length) {
    const snap = stack.pop()!.getSnapshot() as Snap;
    if (!isActorIdle(snap)) return false;
    for (const child of Object.values(snap.children ?? {})) if (child) stack.push(child);
  }
  return true;
}
