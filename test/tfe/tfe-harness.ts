import { randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTerraformDir, type TerraformDir } from '../harness/terraform.js';

const run = promisify(execFile);

/** The hostname of the plain-HTTP setup: a CLI-config `host` block replaces discovery for it (no TLS). */
export const TEST_HOST = 'atlantas.test';

/** Headers of a JSON:API request body, as go-tfe sends them. */
export const JSONAPI = { 'content-type': 'application/vnd.api+json' };

/** A name no other test of the run uses (workspaces, sets, notification configurations …). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A request to `/api/v2<path>` of the running server, with a JSON:API body when there is one. */
export function tfeRequest(app: { req(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<any> }, method: string, path: string, token: string | undefined, body?: unknown) {
  return app.req(method, `/api/v2${path}`, { token, body, headers: body ? JSONAPI : undefined });
}

/** The `terraform { cloud { … } }` block naming one workspace of an organization on a host. */
function cloudBlock(options: { hostname: string; organization: string; workspace: string }): string {
  return `terraform {
  cloud {
    hostname     = "${options.hostname}"
    organization = "${options.organization}"
    workspaces {
      name = "${options.workspace}"
    }
  }
}
`;
}

/** A cloud-block configuration on terraform_data only, with a plain and a sensitive output. */
export function cloudConfig(options: { hostname: string; organization: string; workspace: string }): Record<string, string> {
  return {
    'main.tf': `${cloudBlock(options)}
variable "marker" {
  type = string
}

resource "terraform_data" "this" {
  input = var.marker
}

output "marker" {
  value = terraform_data.this.output
}

output "hidden" {
  value     = "hidden-\${var.marker}"
  sensitive = true
}
`,
  };
}

/**
 * A terraform working dir whose CLI config sends `atlantas.test` to the server over plain HTTP
 * (a `host` block: no discovery request) with the given token.
 */
export async function httpCloudDir(appUrl: string, token: string, workspace: string, organization = 'default'): Promise<TerraformDir> {
  const wd = await makeTerraformDir();
  await writeFile(wd.env.TF_CLI_CONFIG_FILE!, hostBlock(appUrl, token));
  await wd.write(cloudConfig({ hostname: TEST_HOST, organization, workspace }));
  return wd;
}

export function hostBlock(appUrl: string, token: string): string {
  return `host "${TEST_HOST}" {
  services = {
    "tfe.v2" = "${appUrl}/api/v2/"
  }
}

credentials "${TEST_HOST}" {
  token = "${token}"
}
`;
}

export interface TestCa {
  dir: string;
  caFile: string;
  /** the CA certificate: what a client trusts */
  caPem: Buffer;
  key: Buffer;
  cert: Buffer;
  cleanup(): Promise<void>;
}

/** A throwaway CA and a server certificate it signed for localhost / 127.0.0.1 (openssl). */
export async function makeTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-ca-'));
  const f = (n: string) => path.join(dir, n);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=Atlantas test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr')]);
  await writeFile(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  await run('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.pem')]);
  return {
    dir, caFile: f('ca.pem'), caPem: await readFile(f('ca.pem')), key: await readFile(f('server.key')), cert: await readFile(f('server.pem')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * TLS in front of the server, as an ingress terminates it in production: listens first (so the
 * server can be started with ATLANTAS_URL=https://localhost:<port>), forwards to `target()`.
 */
export async function startTlsFront(ca: TestCa, target: () => string): Promise<{ port: number; close(): Promise<void> }> {
  const server = https.createServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    const upstream = http.request(target() + req.url, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Three terraform_data resources (optionally one with a slow local-exec) under a cloud block, with a run-level variable. */
export function remoteConfig(options: { hostname: string; organization: string; workspace: string; slowSeconds?: number }): Record<string, string> {
  const slow = options.slowSeconds
    ? `
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep ${options.slowSeconds}"
  }
}
`
    : '';
  return {
    'main.tf': `${cloudBlock(options)}
variable "marker" {
  type    = string
  default = "unset"
}

resource "terraform_data" "one" {
  input = "one-\${var.marker}"
}

resource "terraform_data" "two" {
  input = "two-\${var.marker}"
}

resource "terraform_data" "three" {
  input = "three-\${var.marker}"
}
${slow}
output "marker" {
  value = terraform_data.one.output
}
`,
  };
}

/**
 * A workspace in remote execution mode (created through the API as `token`'s owner), and a
 * terraform dir whose cloud block names it: what a remote-run test starts from. The lead's
 * workspace-variable tests reuse it (`POST workspaces/{id}/vars`, then `wd.run(['plan'])`).
 */
export async function remoteWorkspaceDir(
  app: { url: string; req(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; text: string }> },
  token: string,
  workspace: string,
  options: { organization?: string; slowSeconds?: number; autoApply?: boolean; files?: Record<string, string> } = {},
): Promise<{ wd: TerraformDir; workspaceId: string }> {
  const organization = options.organization ?? 'default';
  const created = await app.req('POST', `/api/v2/organizations/${organization}/workspaces`, {
    token, headers: { 'content-type': 'application/vnd.api+json' },
    body: { data: { type: 'workspaces', attributes: { name: workspace, 'execution-mode': 'remote', 'auto-apply': options.autoApply ?? false } } },
  });
  if (created.status !== 201) throw new Error(`could not create workspace ${workspace}: ${created.status} ${created.text}`);
  const wd = await makeTerraformDir();
  await writeFile(wd.env.TF_CLI_CONFIG_FILE!, hostBlock(app.url, token));
  await wd.write({ ...remoteConfig({ hostname: TEST_HOST, organization, workspace, slowSeconds: options.slowSeconds }), ...(options.files ?? {}) });
  return { wd, workspaceId: created.body.data.id };
}

/**
 * Runs terraform with a stdin, answering `reply` the first time its output matches `prompt`
 * (an interactive `terraform apply`). Killed with the test dir (`wd.cleanup`) if it hangs.
 */
export function runAnswering(wd: TerraformDir, args: string[], prompt: RegExp, reply: string): Promise<{ code: number | null; stdout: string; stderr: string; output: string; prompted: boolean }> {
  const binary = process.env.ATLANTAS_TF_BINARY || 'terraform';
  const env = { ...wd.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const child = spawn(binary, [...args, '-no-color'], { cwd: wd.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  wd.track?.(child);
  let stdout = '';
  let stderr = '';
  let prompted = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    if (!prompted && prompt.test(stdout)) {
      prompted = true;
      child.stdin.write(`${reply}\n`);
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: stdout + stderr, prompted }));
  });
}
