// Stryker config for one mutated folder (issue 18, docs/testing.md): the repo's stryker.config.json with its
// own files to mutate and the test files that can kill its mutants (every test file related to the mutated
// file is imported on each mutant run, so fewer test files is most of the saving). With MUTATE_FILE set
// (run.mjs does, file by file) only that file is mutated, with its own incremental file and JSON report:
// Stryker writes both only when a run ends, and one file's run would otherwise drop the others' results.
import { readFileSync } from 'node:fs';

// Property tests run fewer cases under mutation testing (test/support/runs.ts): Stryker's test runners are
// child processes of the one that loads this config, and inherit its environment.
process.env.MUTATION_RUN = '1';

const base = JSON.parse(readFileSync(new URL('../../stryker.config.json', import.meta.url), 'utf8'));

/** @param {string} name @param {string[]} mutate @param {string[]} testMatch */
export function folderConfig(name, mutate, testMatch) {
  const file = process.env.MUTATE_FILE;
  const out = file ? `test-output/mutation/${name}/files/${file.replaceAll('/', '_')}` : `test-output/mutation/${name}`;
  return {
    ...base,
    mutate: file ? [file] : mutate,
    jest: { ...base.jest, config: { ...base.jest.config, testMatch } },
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    incrementalFile: `${out}/incremental.json`,
    htmlReporter: { fileName: `${out}/index.html` },
    jsonReporter: { fileName: `${out}/report.json` },
  };
}
