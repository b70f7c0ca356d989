import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** What one terraform command did. */
export interface TerraformResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for "the user was told …" assertions */
  output: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** children still running are killed by `TerraformDir.cleanup` (or this set's owner) */
  track?: Set<ChildProcess>;
}

/**
 * Runs the real terraform binary (ATLANTAS_TF_BINARY or `terraform` on PATH) with `-no-color`,
 * `TF_IN_AUTOMATION=1`, `CHECKPOINT_DISABLE=1`, `TF_INPUT=0` and the caller's env (which should
 * carry its own TF_CLI_CONFIG_FILE: see `makeTerraformDir`).
 */
export function runTerraform(args: string[], options: RunOptions): Promise<TerraformResult> {
  const binary = process.env.ATLANTAS_TF_BINARY || 'terraform';
  const env = { ...options.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
  const child = spawn(binary, [...args, '-no-color'], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.track?.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      options.track?.delete(child);
      resolve({ code, stdout, stderr, output: stdout + stderr });
    });
  });
}

/** A temp working directory with its own empty CLI config, torn down (children included) by `cleanup`. */
export interface TerraformDir {
  dir: string;
  /** the environment every command in this dir gets (plus what `run` adds) */
  env: NodeJS.ProcessEnv;
  write(files: Record<string, string>): Promise<void>;
  run(args: string[], extraEnv?: Record<string, string>): Promise<TerraformResult>;
  /** kills any terraform still running from here and removes the directory */
  cleanup(): Promise<void>;
  /** a child started elsewhere (with its own stdin) that `cleanup` must kill too */
  track?(child: ChildProcess): void;
}

export async function makeTerraformDir(env: Record<string, string> = {}): Promise<TerraformDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-tf-'));
  const cliConfig = path.join(dir, '.terraformrc');
  await writeFile(cliConfig, '');
  const children = new Set<ChildProcess>();
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_HTTP_RETRY_WAIT_MIN: '0',
    TF_HTTP_RETRY_WAIT_MAX: '1',
    ...env,
  };
  return {
    dir,
    env: baseEnv,
    async write(files) {
      for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
    },
    run: (args, extraEnv = {}) => runTerraform(args, { cwd: dir, env: { ...baseEnv, ...extraEnv }, track: children }),
    track(child) {
      children.add(child);
      child.once('close', () => children.delete(child));
    },
    async cleanup() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all([...children].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('close', r)))));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The env vars that point terraform's `http` backend at an Atlantas state (password = API token). */
export function httpBackendEnv(baseUrl: string, name: string, workspace: string, token: string, username = 'atlantas'): Record<string, string> {
  const address = `${baseUrl}/api/v1/tfstate/${encodeURIComponent(name)}/${encodeURIComponent(workspace)}`;
  return {
    TF_HTTP_ADDRESS: address,
    TF_HTTP_LOCK_ADDRESS: address,
    TF_HTTP_UNLOCK_ADDRESS: address,
    TF_HTTP_USERNAME: username,
    TF_HTTP_PASSWORD: token,
  };
}

/** A configuration using only the built-in terraform_data resource, with an `http` backend. */
export function stateConfig(options: { slowSeconds?: number } = {}): Record<string, string> {
  // A new marker replaces the resource, so the creation-time provisioner runs (a slow step) on every change.
  const provisioner = options.slowSeconds
    ? `\n  triggers_replace = var.marker\n  provisioner "local-exec" {\n    command = "sleep ${options.slowSeconds}"\n  }`
    : '';
  return {
    'main.tf': `terraform {
  backend "http" {}
}

variable "marker" {
  type = string
}

resource "terraform_data" "this" {
  input = var.marker${provisioner}
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
