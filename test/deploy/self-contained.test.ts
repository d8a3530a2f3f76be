// A user's clone has nothing beside it: no tracked file may read or point at a folder outside the
// repository (the team's data folder sits next to the developers' checkouts, not the users'). CI also runs
// the whole suite in a clone inside an empty folder (.ci/run); this catches the mistake before a push.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ROOT } from './support/render.js';

// Spelled in pieces so that this file does not match itself.
const OUTSIDE = new RegExp(['\\.\\./', 'shared', '|', "'\\.\\.',\\s*'", 'shared', "'"].join(''));
const TEXT_FILE = /\.(ts|mts|mjs|js|json|ya?ml|md|sh)$|(^|\/)(run|Dockerfile)$/;

function trackedTextFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => TEXT_FILE.test(f) && !f.startsWith('docs/adr/'));
}

describe('the repository is self-contained', () => {
  it('no tracked file reads or names a path beside the repository', () => {
    const offenders = trackedTextFiles().filter((f) => OUTSIDE.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check sees a reference when there is one', () => {
    const folder = ['sha', 'red'].join('');
    expect(OUTSIDE.test(`readFileSync('${['..', folder, 'x'].join('/')}')`)).toBe(true);
    expect(OUTSIDE.test(`join(here, '..', '${folder}', 'x')`)).toBe(true);
    expect(OUTSIDE.test(`import { x } from './shared/backoff.js'`)).toBe(false);
  });
});
