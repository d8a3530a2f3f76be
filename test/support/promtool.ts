// `promtool check metrics` (Debian package `prometheus`) on a scraped /metrics text: the exposition format
// must parse, and every series must pass Prometheus' naming lint. The only accepted complaints are prom-client's
// own default Node metrics, gauges it names *_total (upstream names, not ours to change); anything else fails.
import { spawn, spawnSync } from 'node:child_process';

const PROM_CLIENT_DEFAULTS_LINT = new Set([
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
]);

/** Throws (never skips) when promtool is missing, saying how to get it. */
export function requirePromtool(): void {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'promtool is not installed: run `apt-get install prometheus` (Debian/Ubuntu), which provides promtool; .ci/run installs it',
    );
  }
}

/** Lines promtool reported beyond the accepted ones (empty: the text passed). */
export async function promtoolProblems(metricsText: string): Promise<string[]> {
  requirePromtool();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output: out }));
    child.stdin.end(metricsText);
  });
  const problems = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !PROM_CLIENT_DEFAULTS_LINT.has(l));
  // Exit 3 is "lint problems"; with only accepted ones left, the text passed. Any other failure is reported.
  if (code !== 0 && code !== 3 && problems.length === 0) problems.push(`promtool exited ${String(code)}: ${output}`);
  return problems;
}

/** The value of one sample line (`name{labels} value`), or undefined when the series is absent. */
export function sampleValue(metricsText: string, series: string): number | undefined {
  for (const line of metricsText.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}
