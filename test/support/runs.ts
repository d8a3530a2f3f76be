// Property runs per test: fewer under mutation testing (test/mutation/folder.mjs sets MUTATION_RUN), where
// Stryker runs every test that covers a mutant in full, without bailing, once per mutant: the translator's
// property tests at full length were most of a src/translate run. A smaller count can only let more mutants
// survive, so the score it gives is a lower bound of the full suite's.
export const MUTATION_RUN = process.env.MUTATION_RUN === '1';

export function propertyRuns(full: number): number {
  return MUTATION_RUN ? Math.max(20, Math.ceil(full / 5)) : full;
}
