// "Nothing in flight" for ControlPlane.whenIdle(): walk the actor tree and look for states the machines tag
// busy (machines/shared/tags.ts), or work queued in their context.
import type { AnyActorRef } from 'xstate';
import { BUSY } from '../../machines/shared/tags.js';

type Snap = {
  status: string;
  hasTag?: (tag: string) => boolean;
  context?: { outbox?: unknown[] };
  machine?: { id: string };
  children?: Record<string, AnyActorRef | undefined>;
};

function isActorIdle(snap: Snap): boolean {
  if (!snap.machine || snap.status !== 'active' || !snap.hasTag) return true;
  if (snap.hasTag(BUSY)) return false;
  // The coordinator's resource events still queued will be handed out next. (A status writer with statuses
  // queued never rests: its idle state moves on to writing at once.)
  return (snap.context?.outbox?.length ?? 0) === 0;
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
