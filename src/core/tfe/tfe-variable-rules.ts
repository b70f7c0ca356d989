import { randomBytes } from 'node:crypto';
import { isServerSecret } from '../terraform/env-passthrough.js';
import { isForbiddenTerraformVar } from '../terraform/child-env.js';
import { InputError } from '../errors.js';
import type { VariableCategory } from './tfe-variable.repository.js';

/**
 * What a TFE variable may be called. Pure. A `terraform` variable is a terraform identifier; an
 * `env` variable a POSIX-style name that does not take the sandbox or the server's control of a
 * run away (the names below): those are refused when the variable is written, not silently
 * dropped at run time.
 */

const TERRAFORM_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Exact names an `env` variable may not have: the process's own paths and shell, the settings the
 * server gives every terraform (automation switches, CLI config, plugin cache, logging that would
 * print the state backend's credentials) and the git/ssh settings of the clone.
 */
const RESERVED_NAMES = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TMPDIR', 'TMP', 'TEMP', 'PWD', 'OLDPWD', 'IFS', 'ENV', 'BASH_ENV', 'PS4', 'SHELLOPTS',
  'BASHOPTS', 'PROMPT_COMMAND', 'NODE_OPTIONS', 'PYTHONPATH', 'PYTHONSTARTUP', 'PERL5OPT', 'RUBYOPT',
  'TF_IN_AUTOMATION', 'TF_INPUT', 'TF_CLI_CONFIG_FILE', 'TOFU_CLI_CONFIG_FILE', 'TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE',
  'TF_DATA_DIR', 'TF_WORKSPACE', 'TF_REATTACH_PROVIDERS', 'TF_DISABLE_PLUGIN_TLS', 'TF_SKIP_PROVIDER_VERIFY', 'TF_IGNORE', 'TF_STATE_PERSIST_INTERVAL',
  'CHECKPOINT_DISABLE', 'SSL_CERT_FILE', 'SSL_CERT_DIR',
]);
/** Prefixes of names an `env` variable may not have (loader, server, terraform internals, git and ssh). */
const RESERVED_PREFIXES = ['LD_', 'DYLD_', 'ATLANTAS_', 'TF_CLI_ARGS', 'TF_HTTP_', 'TF_LOG', 'TF_TOKEN_', 'TF_REGISTRY_', 'TF_APPEND_USER_AGENT', 'GIT_', 'SSH_', 'BWRAP'];

/** Why `key` cannot be an `env` variable of a run, or null when it can. */
export function reservedEnvProblem(key: string): string | null {
  const upper = key.toUpperCase();
  if (RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some((p) => upper.startsWith(p)) || isServerSecret(upper) || isForbiddenTerraformVar(upper)) {
    return `"${key.slice(0, 60)}" is reserved: it would change the run's sandbox, terraform's workspace or flags, or the server's control of the run (PATH, HOME, TF_CLI_ARGS*, TF_DATA_DIR, TF_HTTP_*, TF_LOG*, LD_*, GIT_*, ATLANTAS_* …); choose another name`;
  }
  return null;
}

/** InputError (422 on the TFE API) when `key` is not a valid name for its category. */
export function assertVariableKey(key: string, category: VariableCategory): void {
  const ok = category === 'env' ? ENV_KEY.test(key) : TERRAFORM_KEY.test(key);
  if (!ok) {
    throw new InputError(
      `data.attributes.key: "${key.slice(0, 60)}" is not a valid ${category === 'env' ? 'environment variable name (letters, digits and _, not starting with a digit)' : 'terraform variable name (letters, digits, _ and -, not starting with a digit)'}`,
      { code: 'variable_invalid' },
    );
  }
  if (category === 'env') {
    const problem = reservedEnvProblem(key);
    if (problem) throw new InputError(`data.attributes.key: ${problem}`, { code: 'variable_invalid' });
  }
}

/** A TFE-style id: `var-…`, `varset-…`. */
export function tfeId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}
