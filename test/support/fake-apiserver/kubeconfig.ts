// Kubeconfigs pointing at the double: a file for kubectl and child processes, and a client-node KubeConfig.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export function kubeconfigYaml(server: string, token = 'test-token', namespace = 'default'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    // client-node 1.4 refuses plain http unless TLS verification is marked skipped (there is no TLS to verify).
    `clusters: [{name: fake, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    `users: [{name: tester, user: {token: "${token}"}}]`,
    `contexts: [{name: fake, context: {cluster: fake, user: tester, namespace: ${namespace}}}]`,
    'current-context: fake',
    '',
  ].join('\n');
}

/** Writes a kubeconfig to a fresh temp dir; returns its path. */
export function writeKubeconfig(server: string, token?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fake-kube-')), 'kubeconfig');
  writeFileSync(file, kubeconfigYaml(server, token));
  return file;
}

export function kubeConfigFor(server: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(server, token));
  return kc;
}
