// One actor per BackendTLSPolicy with an ancestors[] entry of ours (a Gateway of ours whose routes use a
// Service port the policy claims): pending → accepted (Accepted=True on some ancestor) / rejected; deleting →
// gone. Its status is the translator's verdict alone (a policy is not programmed on its own: the routes that
// use it are), written only when it changes.
import { createVerdictMachine } from './gateway-class.js';

export const policyMachine = createVerdictMachine('policy');
