// Checks on the config's `gateways` that the schema's shapes cannot express (ADR 0009): the proxy selects a
// Gateway by the local port a connection arrives on, so a port may belong to one Gateway only, and one
// Gateway at most is served on the proxy's own ports (the entry without ports).

/** Gateway names and data ports must be unique: a port selects one Gateway. */
export function gatewayScopeIssues(
  gateways: ReadonlyArray<{ name: string; port?: number; tlsPort?: number }>,
): Array<{ path: PropertyKey[]; message: string }> {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const names = new Set<string>();
  const ports = new Set<number>();
  let ownPorts = false;
  gateways.forEach((g, i) => {
    if (names.has(g.name)) issues.push({ path: ['gateways', i, 'name'], message: 'duplicate Gateway name' });
    names.add(g.name);
    if (g.port === undefined && g.tlsPort !== undefined)
      issues.push({ path: ['gateways', i, 'tlsPort'], message: 'a tlsPort needs a port' });
    if (g.port === undefined && ownPorts)
      issues.push({ path: ['gateways', i, 'port'], message: "a second Gateway on the proxy's own ports" });
    if (g.port === undefined) ownPorts = true;
    for (const key of ['port', 'tlsPort'] as const) {
      const port = g[key];
      if (port === undefined) continue;
      if (ports.has(port)) issues.push({ path: ['gateways', i, key], message: 'port used by another entry' });
      ports.add(port);
    }
  });
  return issues;
}
