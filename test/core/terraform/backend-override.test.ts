import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { BACKEND_OVERRIDE_FILE, writeBackendOverride } from '../../../src/core/terraform/backend-override.js';
import { ProcessTerraformRunner } from '../../../src/core/terraform/process-terraform-runner.js';
import { applyArgs, initArgs, planArgs } from '../../../src/core/terraform/terraform-args.js';
import { captureLogs } from '../../harness/capture-logs.js';

const TOKEN = 'atl_short_lived_token_5f1c9e';

async function projectDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atlantas-override-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  return dir;
}

/** A loopback server speaking terraform's HTTP backend protocol (GET/POST/LOCK/UNLOCK), with basic auth. */
async function stateServer() {
  let state: Buffer | null = null;
  const seen: { method: string; authorization?: string }[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    seen.push({ method: req.method!, authorization: req.headers.authorization });
    if (req.headers.authorization !== `Basic ${Buffer.from(`atlantas:${TOKEN}`).toString('base64')}`) return res.writeHead(401).end();
    if (req.method === 'GET') return state ? res.writeHead(200).end(state) : res.writeHead(404).end();
    if (req.method === 'POST') state = Buffer.concat(body);
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/state/p1/default`;
  return { url, seen, state: () => state };
}

async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('writeBackendOverride', () => {
  it('points a module without backend at the Atlantas HTTP backend; state lands there; credentials never touch disk', async () => {
    const server = await stateServer();
    const dir = await projectDir({ 'main.tf': '# terraform {\n#   backend "s3" {}\n# }\nresource "terraform_data" "a" {\n  input = "x"\n}\n' });
    const override = await writeBackendOverride(dir, { address: server.url, username: 'atlantas', password: TOKEN });
    expect(override).toEqual({ overridden: true, reconfigure: false, env: { TF_HTTP_USERNAME: 'atlantas', TF_HTTP_PASSWORD: TOKEN } });
    const file = await readFile(path.join(dir, BACKEND_OVERRIDE_FILE), 'utf8');
    expect(file).toContain(`address        = "${server.url}"`);
    expect(file).toContain('lock_method    = "LOCK"');
    expect(file).not.toContain(TOKEN);

    const runner = new ProcessTerraformRunner({ binary: process.env.ATLANTAS_TF_BINARY || 'terraform', cancelGraceMs: 10_000, log: captureLogs().log });
    for (const args of [initArgs({ reconfigure: override.reconfigure }), planArgs({ out: 'p.tfplan' }), applyArgs('p.tfplan')]) {
      const r = await runner.run({ args, cwd: dir, env: override.env });
      expect(r.exitCode, r.combined).toBe(0);
    }
    expect(JSON.parse(server.state()!.toString()).resources[0].type).toBe('terraform_data');
    expect(server.seen.map((s) => s.method)).toEqual(expect.arrayContaining(['GET', 'LOCK', 'POST', 'UNLOCK']));
    for (const f of await allFiles(dir)) {
      if (f.endsWith('.tfplan')) continue; // a plan file is a zip; it is stored encrypted by the run engine
      expect((await readFile(f)).includes(TOKEN), f).toBe(false);
    }
  });

  it('asks for -reconfigure only when terraform was initialised against another address', async () => {
    const server = await stateServer();
    const dir = await projectDir({ 'main.tf': 'resource "terraform_data" "a" {}\n' });
    const runner = new ProcessTerraformRunner({ binary: process.env.ATLANTAS_TF_BINARY || 'terraform', cancelGraceMs: 10_000, log: captureLogs().log });
    const first = await writeBackendOverride(dir, { address: server.url, username: 'atlantas', password: TOKEN });
    expect((await runner.run({ args: initArgs(), cwd: dir, env: first.env })).exitCode).toBe(0);
    expect((await writeBackendOverride(dir, { address: server.url })).reconfigure).toBe(false);
    const moved = await writeBackendOverride(dir, { address: `${server.url}-moved` });
    expect(moved.reconfigure).toBe(true);
  });

  it('leaves a module that declares its own backend or cloud block alone, and removes a stale override', async () => {
    const dir = await projectDir({ 'main.tf': 'resource "terraform_data" "a" {}\n' });
    expect((await writeBackendOverride(dir, { address: 'https://atlantas.example/state' })).overridden).toBe(true);
    await writeFile(path.join(dir, 'backend.tf'), 'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n');
    expect(await writeBackendOverride(dir, { address: 'https://atlantas.example/state', password: TOKEN })).toEqual({
      overridden: false, reconfigure: false, env: {},
    });
    expect(await readdir(dir)).not.toContain(BACKEND_OVERRIDE_FILE);

    const cloud = await projectDir({ 'versions.tf.json': JSON.stringify({ terraform: { cloud: { organization: 'o' } } }) });
    expect((await writeBackendOverride(cloud, { address: 'https://atlantas.example/state' })).overridden).toBe(false);
  });

  it('refuses an address that is not http(s) or carries credentials', async () => {
    const dir = await projectDir({ 'main.tf': '' });
    await expect(writeBackendOverride(dir, { address: 'ftp://x/state' })).rejects.toThrow(InputError);
    const err = await writeBackendOverride(dir, { address: `https://u:${TOKEN}@x/state` }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain(TOKEN);
    expect(await readdir(dir)).not.toContain(BACKEND_OVERRIDE_FILE);
  });

  it('never writes through a committed override link, and reads every source as a checkout file', async () => {
    const outside = await projectDir({ 'victim.txt': 'untouched' });
    const checkout = await projectDir({ 'main.tf': '' });
    const app = path.join(checkout, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'main.tf'), 'resource "terraform_data" "a" {}\n');
    await symlink(path.join(outside, 'victim.txt'), path.join(app, BACKEND_OVERRIDE_FILE));
    expect((await writeBackendOverride(app, { address: 'https://atlantas.example/state', checkoutRoot: checkout })).overridden).toBe(true);
    expect(await readFile(path.join(outside, 'victim.txt'), 'utf8')).toBe('untouched');
    expect(await readFile(path.join(app, BACKEND_OVERRIDE_FILE), 'utf8')).toContain('backend "http"');

    // A shared backend.tf linked from inside the checkout counts: its backend is the module's.
    await writeFile(path.join(checkout, 'backend.tf'), 'terraform {\n  backend "local" {}\n}\n');
    await symlink('../backend.tf', path.join(app, 'backend.tf'));
    expect((await writeBackendOverride(app, { address: 'https://atlantas.example/state', checkoutRoot: checkout })).overridden).toBe(false);
    expect(await readdir(app)).not.toContain(BACKEND_OVERRIDE_FILE);
    // Without the checkout root the same link leaves the project dir: refused, naming the file.
    const refused = await writeBackendOverride(app, { address: 'https://atlantas.example/state' }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toMatch(/^backend\.tf is a symbolic link that leads outside the repository/);
  });

  it('refuses a source linked outside the checkout and a linked .terraform record, quoting neither', async () => {
    const outside = await projectDir({ 'secret.tf': `# ${TOKEN}\n` });
    const dir = await projectDir({ 'main.tf': 'resource "terraform_data" "a" {}\n' });
    await symlink(path.join(outside, 'secret.tf'), path.join(dir, 'shared.tf'));
    const err = await writeBackendOverride(dir, { address: 'https://atlantas.example/state' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^shared\.tf is a symbolic link that leads outside the repository/);
    expect((err as Error).message).not.toContain(TOKEN);

    await rm(path.join(dir, 'shared.tf'));
    await mkdir(path.join(dir, '.terraform'));
    await symlink(path.join(outside, 'secret.tf'), path.join(dir, '.terraform', 'terraform.tfstate'));
    const linked = await writeBackendOverride(dir, { address: 'https://atlantas.example/state' }).catch((e: Error) => e);
    expect((linked as Error).message).toMatch(/^\.terraform\/terraform\.tfstate is a symbolic link;/);
  });
});
