import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { hclDeclaresBackend, jsonDeclaresBackend } from './hcl-backend-scan.js';
import { MAX_SOURCE_FILE_BYTES, readRepoFile } from './repo-file.js';

/** The file Atlantas writes into a project dir that declares no backend. */
export const BACKEND_OVERRIDE_FILE = 'atlantas_backend_override.tf';

export interface BackendOverrideOptions {
  /** the Atlantas HTTP state backend URL for this project and workspace (also used to lock and unlock) */
  address: string;
  /** a short-lived token: passed to terraform as TF_HTTP_USERNAME / TF_HTTP_PASSWORD, never written */
  username?: string;
  password?: string;
  /**
   * The checkout the project dir belongs to: a `.tf` file may be a link to a file anywhere inside
   * it (a shared backend.tf). Without it, links must stay inside the project dir.
   */
  checkoutRoot?: string;
  /**
   * Write it even when the module declares its own backend or `cloud` block: as an override
   * file (`*_override.tf`) its backend replaces theirs. A TFE remote run's state is its
   * workspace's, whatever the uploaded configuration names (a `cloud` block would make the run
   * call back as TFE).
   */
  replaceDeclared?: boolean;
}

export interface BackendOverride {
  /** true when the file was written (the module declares no backend or cloud block) */
  overridden: boolean;
  /** true when terraform was last initialised with another backend: run init with -reconfigure */
  reconfigure: boolean;
  /** to add to the terraform invocation env (credentials), empty when not overridden */
  env: Record<string, string>;
}

/**
 * When the root module in `projectDir` declares no `backend`/`cloud` block, points it at
 * Atlantas's HTTP state backend so that state survives the working copy. Credentials never go
 * into the file: values written there are copied in clear into `.terraform/terraform.tfstate`,
 * while TF_HTTP_USERNAME / TF_HTTP_PASSWORD from the env are not. When the module declares its
 * own backend, a stale override from an earlier commit is removed. Every file is read through
 * repo-file.ts (no link leading out, bounded size), and the override is written only as a new
 * file: a committed `atlantas_backend_override.tf` link is removed, never written through.
 */
export async function writeBackendOverride(projectDir: string, opts: BackendOverrideOptions): Promise<BackendOverride> {
  const address = checkAddress(opts.address);
  const file = path.join(projectDir, BACKEND_OVERRIDE_FILE);
  await rm(file, { force: true });
  if (!opts.replaceDeclared && (await declaresBackend(projectDir, opts.checkoutRoot))) return { overridden: false, reconfigure: false, env: {} };
  await writeFile(file, renderOverride(address), { mode: 0o644, flag: 'wx' });
  const env: Record<string, string> = {};
  if (opts.username !== undefined) env.TF_HTTP_USERNAME = opts.username;
  if (opts.password !== undefined) env.TF_HTTP_PASSWORD = opts.password;
  return { overridden: true, reconfigure: await initialisedElsewhere(projectDir, address), env };
}

/**
 * Scans the root module's .tf / .tf.json (and OpenTofu .tofu) files, not Atlantas's own override.
 * A linked source is read when it resolves to a file inside `checkoutRoot` (default: the project
 * dir), and refused otherwise; terraform would read it too, so skipping it could miss a backend.
 */
export async function declaresBackend(projectDir: string, checkoutRoot = projectDir): Promise<boolean> {
  const entries = await readdir(projectDir, { withFileTypes: true });
  const sources = entries.flatMap((entry) => {
    if (!(entry.isFile() || entry.isSymbolicLink()) || entry.name === BACKEND_OVERRIDE_FILE) return [];
    const isJson = entry.name.endsWith('.tf.json') || entry.name.endsWith('.tofu.json');
    const isHcl = entry.name.endsWith('.tf') || entry.name.endsWith('.tofu');
    return isJson || isHcl ? [{ rel: path.relative(checkoutRoot, path.join(projectDir, entry.name)), isJson }] : [];
  });
  // Read at once (this is on every run's path), judged in directory order as one by one would:
  // a file that declares a backend wins over a refused file after it, a refused file before it throws.
  const read = await Promise.allSettled(sources.map((s) => readRepoFile(checkoutRoot, s.rel, { maxBytes: MAX_SOURCE_FILE_BYTES, allowLinkInside: true })));
  for (const [i, result] of read.entries()) {
    if (result.status === 'rejected') throw result.reason;
    const source = result.value;
    if (source !== null && (sources[i].isJson ? jsonDeclaresBackend(source) : hclDeclaresBackend(source))) return true;
  }
  return false;
}

/** The override file's text. Pure. */
export function renderOverride(address: string): string {
  const url = hclString(address);
  return [
    '# Written by Atlantas: this root module declares no backend, so its state lives in Atlantas.',
    '# Credentials come from TF_HTTP_USERNAME / TF_HTTP_PASSWORD in the environment, never from this file.',
    'terraform {',
    '  backend "http" {',
    `    address        = ${url}`,
    `    lock_address   = ${url}`,
    `    unlock_address = ${url}`,
    '    lock_method    = "LOCK"',
    '    unlock_method  = "UNLOCK"',
    '  }',
    '}',
    '',
  ].join('\n');
}

function checkAddress(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new InputError('state backend address must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError('state backend address must use http or https');
  if (url.username || url.password) {
    throw new InputError('state backend address must not carry credentials; pass username and password instead');
  }
  return url.toString();
}

/** A JSON string is a valid HCL string once template sequences are escaped. */
function hclString(value: string): string {
  return JSON.stringify(value).replace(/([$%])\{/g, (_m, sigil: string) => `${sigil}${sigil}{`);
}

/** Whether .terraform records a backend other than ours at `address` (init would refuse without -reconfigure). */
async function initialisedElsewhere(projectDir: string, address: string): Promise<boolean> {
  const recorded = await readRepoFile(projectDir, '.terraform/terraform.tfstate');
  if (recorded === null) return false; // never initialised: a plain init configures the backend
  try {
    const backend = (JSON.parse(recorded) as { backend?: { type?: string; config?: Record<string, unknown> } }).backend;
    if (!backend) return true;
    const c = backend.config ?? {};
    const same = [c.address, c.lock_address, c.unlock_address].every((v) => v === address);
    return backend.type !== 'http' || !same || c.lock_method !== 'LOCK' || c.unlock_method !== 'UNLOCK';
  } catch {
    return true;
  }
}
