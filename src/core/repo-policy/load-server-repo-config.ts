/**
 * Reads ATLANTAS_REPO_CONFIG once at start: the only I/O of the server-side repo config. A file
 * that cannot be read or does not validate stops the server with a ConfigError naming the
 * variable, the file and the line, before anything else starts, so a typo never silently drops a
 * requirement. The file is the operator's (a Kubernetes ConfigMap mount is a symlink: followed).
 */
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../../logger.js';
import { ConfigError, DomainError } from '../errors.js';
import type { Requirement } from '../terraform/repo-config.js';
import { parseServerRepoConfig, withServerDefaults, type ServerRepoConfig } from './server-repo-config.js';

const VARIABLE = 'ATLANTAS_REPO_CONFIG';
/** far above any real repos.yaml; refuses /dev/zero and mistakes of that kind */
const MAX_BYTES = 1024 * 1024;

export interface LoadServerRepoConfigOptions {
  /** ATLANTAS_REPO_CONFIG; unset → only ATLANTAS_APPLY_REQUIREMENTS */
  path?: string;
  /** ATLANTAS_APPLY_REQUIREMENTS */
  applyRequirements: readonly Requirement[];
  /** the GitHub web host repo ids start with (`github.com`, or the GitHub Enterprise host) */
  vcsHost: string;
  log: Logger;
}

/** The server's repo policy: ATLANTAS_APPLY_REQUIREMENTS, then the file's entries. */
export async function loadServerRepoConfig(options: LoadServerRepoConfigOptions): Promise<ServerRepoConfig> {
  const defaults = { applyRequirements: options.applyRequirements, vcsHost: options.vcsHost };
  if (!options.path) return withServerDefaults(null, defaults);
  const text = await readConfigFile(options.path);
  let file: ServerRepoConfig;
  try {
    file = parseServerRepoConfig(text, options.path, options.vcsHost);
  } catch (err) {
    if (err instanceof DomainError) throw new ConfigError([`${VARIABLE}: ${err.message}`]);
    throw err;
  }
  const log = options.log.child({ repoConfig: options.path });
  for (const note of file.notes) log.info(note);
  log.info({ entries: file.repos.length, workflows: Object.keys(file.workflows).length }, 'server-side repo config loaded');
  return withServerDefaults(file, defaults);
}

async function readConfigFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError([`${VARIABLE}: ${path} is not a regular file`]);
    if (info.size > MAX_BYTES) throw new ConfigError([`${VARIABLE}: ${path} is larger than 1 MiB; is it the right file?`]);
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`${VARIABLE}: cannot read ${path}: ${reason(err)}`]);
  }
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? 'unknown error';
}
