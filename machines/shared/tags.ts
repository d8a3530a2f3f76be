/**
 * Tag of the states in which an actor is still working towards a result (a request in flight, a decision
 * about to be taken); waiting out a backoff or a timer is not busy. ControlPlane.whenIdle() reads it.
 */
// Stryker disable next-line StringLiteral: any name works that the machines and ControlPlane.whenIdle() share (both read this constant)
export const BUSY = 'busy';
