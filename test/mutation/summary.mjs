// The score of a folder from the per-file JSON reports run.mjs leaves (mutation-testing-report-schema):
// killed, survived, timeout, no coverage and the score, Stryker's way ((killed + timeout) / valid mutants).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const STATUSES = ['Killed', 'Survived', 'Timeout', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored'];

export function summarise(name) {
  const dir = `test-output/mutation/${name}/files`;
  const rows = [];
  for (const entry of existsSync(dir) ? readdirSync(dir).sort() : []) {
    const report = join(dir, entry, 'report.json');
    if (!existsSync(report)) continue;
    for (const [file, { mutants }] of Object.entries(JSON.parse(readFileSync(report, 'utf8')).files)) {
      const count = Object.fromEntries(STATUSES.map((s) => [s, mutants.filter((m) => m.status === s).length]));
      rows.push({ file, ...count });
    }
  }
  const total = Object.fromEntries(STATUSES.map((s) => [s, rows.reduce((sum, r) => sum + r[s], 0)]));
  const line = (r) => {
    const valid = r.Killed + r.Survived + r.Timeout + r.NoCoverage;
    const score = valid === 0 ? 'n/a' : `${((100 * (r.Killed + r.Timeout)) / valid).toFixed(1)} %`;
    return `| ${r.file} | ${r.Killed} | ${r.Survived} | ${r.Timeout} | ${r.NoCoverage} | ${r.Ignored} | ${score} |`;
  };
  return [
    '| file | killed | survived | timeout | no coverage | ignored | score |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(line),
    line({ file: `**${name}**`, ...total }),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(summarise(process.argv[2] ?? 'router'));
