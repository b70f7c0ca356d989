/**
 * Cloud credentials for terraform (ATLANTAS_TF_ENV_PASSTHROUGH). child-env.ts hides the server's
 * environment from terraform, because terraform runs code from pull requests; real providers still
 * need their credentials (AWS_*, GOOGLE_*, ARM_* …). The operator names them here: exact names, or
 * prefixes ending in `*`. The server's own secrets can never be named, not even by a broad pattern,
 * and are dropped again when the variables are picked. Pure.
 */
import { isForbiddenTerraformVar } from './child-env.js';

export const DEFAULT_TF_ENV_PASSTHROUGH = [
  'AWS_*', 'GOOGLE_*', 'CLOUDSDK_*', 'ARM_*', 'AZURE_*', 'HCLOUD_TOKEN', 'DIGITALOCEAN_TOKEN', 'DIGITALOCEAN_ACCESS_TOKEN', 'TF_VAR_*',
];

/** The server's own secrets: never passed to terraform, whatever is configured. */
const SECRET_PREFIXES = ['ATLANTAS_', 'SLACK_', 'GITHUB_'];
const SECRET_NAMES = ['DATABASE_URL'];
export const SECRET_VARIABLES = ['ATLANTAS_*', 'DATABASE_URL', 'SLACK_*', 'GITHUB_*'];

const PATTERN = /^(?:[A-Za-z_][A-Za-z0-9_]*\*?|\*)$/;

/** True for a variable that belongs to the server, not to terraform. */
export function isServerSecret(name: string): boolean {
  return SECRET_NAMES.includes(name) || SECRET_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * What is wrong with one configured pattern, or null. A prefix is refused when any secret name
 * could match it: `A*` would reach ATLANTAS_*, `DATABASE_*` DATABASE_URL, `*` everything.
 */
export function passthroughProblem(pattern: string): string | null {
  if (!PATTERN.test(pattern)) return `"${pattern}" is not a variable name or a PREFIX_* pattern`;
  const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : null;
  const reachesSecret =
    prefix === null
      ? isServerSecret(pattern)
      : SECRET_NAMES.some((n) => n.startsWith(prefix)) || SECRET_PREFIXES.some((p) => p.startsWith(prefix) || prefix.startsWith(p));
  if (reachesSecret) return `"${pattern}" would pass the server's own secrets (${SECRET_VARIABLES.join(', ')}) to pull-request code`;
  return null;
}

/** Matches one name against exact names and `PREFIX_*` patterns. */
export function matchesPassthrough(name: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/**
 * The variables of `source` that terraform receives: those the patterns match, minus the server's
 * secrets and the names that would change terraform's workspace or flags.
 */
export function passthroughEnv(source: NodeJS.ProcessEnv, patterns: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || isServerSecret(name) || isForbiddenTerraformVar(name)) continue;
    if (matchesPassthrough(name, patterns)) out[name] = value;
  }
  return out;
}
