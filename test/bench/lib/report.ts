// What every bench returns, printed as Markdown so a run can be pasted into docs/performance.md.

export interface Check {
  name: string;
  value: string;
  target: string;
  pass: boolean;
  /** What others publish for the same measure ("—": nothing published); shown when any check has one. */
  anchor?: string;
}

export interface BenchReport {
  title: string;
  columns: string[];
  rows: string[][];
  checks: Check[];
  notes?: string[];
}

export function renderTable(columns: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderReport(r: BenchReport): string {
  const parts = [`### ${r.title}`, '', renderTable(r.columns, r.rows)];
  if (r.notes?.length) parts.push('', ...r.notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

export function renderChecks(checks: Check[]): string {
  const anchors = checks.some((c) => c.anchor !== undefined);
  return renderTable(
    ['target', 'measured', 'wanted', '', ...(anchors ? ['anchor (published)'] : [])],
    checks.map((c) => [c.name, c.value, c.target, c.pass ? 'met' : 'NOT MET', ...(anchors ? [c.anchor ?? ''] : [])]),
  );
}
