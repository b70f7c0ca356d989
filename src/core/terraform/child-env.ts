/**
 * Environments for the processes Atlantas starts in working copies (terraform, git). Terraform
 * runs code from pull requests (local-exec, external data sources), so it must never inherit the
 * server's secrets (database URL, GitHub and Slack tokens, encryption key): only an allowlist of
 * the server's variables passes, and everything else comes explicitly from the caller. Pure.
 */

/** Variables every child keeps: locale, paths, proxies and CA bundles. */
const COMMON_NAMES = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME',
];
const COMMON_PREFIXES = ['LC_'];

/** Operator-level terraform settings (CLI config, plugin cache, private registry tokens, logging). */
const TERRAFORM_NAMES = [
  'TF_CLI_CONFIG_FILE', 'TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE',
  'TF_REGISTRY_DISCOVERY_RETRY', 'TF_REGISTRY_CLIENT_TIMEOUT', 'TF_LOG', 'TF_LOG_CORE', 'TF_LOG_PROVIDER',
  'TOFU_CLI_CONFIG_FILE',
];
const TERRAFORM_PREFIXES = ['TF_TOKEN_'];

/** Git settings an operator may rely on (CA bundle, global config location). */
const GIT_NAMES = ['GIT_SSL_CAINFO', 'GIT_SSL_CAPATH', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_SYSTEM', 'GIT_CONFIG_NOSYSTEM'];

/** Never taken from anywhere: they would change which workspace or which flags terraform uses. */
export function isForbiddenTerraformVar(name: string): boolean {
  return name === 'TF_WORKSPACE' || name.startsWith('TF_CLI_ARGS') || name === 'TF_DATA_DIR';
}

function pick(source: NodeJS.ProcessEnv, names: string[], prefixes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (names.includes(name) || prefixes.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}

/**
 * The env for a terraform process: allowlisted server variables, then the caller's `extra`
 * (minus forbidden names, which are reported in `dropped`), then the automation switches, which
 * always win.
 */
export function terraformEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): { env: Record<string, string>; dropped: string[] } {
  const env = pick(base, COMMON_NAMES, [...COMMON_PREFIXES, ...TERRAFORM_PREFIXES]);
  Object.assign(env, pick(base, TERRAFORM_NAMES, []));
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(extra)) {
    if (isForbiddenTerraformVar(name)) dropped.push(name);
    else env[name] = value;
  }
  env.TF_IN_AUTOMATION = '1';
  env.TF_INPUT = '0';
  env.CHECKPOINT_DISABLE = '1';
  return { env, dropped };
}

/**
 * The env for a git process. `GIT_CONFIG_COUNT` entries already in `base` (an operator's or a
 * test's `url.<base>.insteadOf`) are kept, and `config` entries are APPENDED after them, so that
 * credentials travel as git config from the environment: never in a URL, an argv item or
 * `.git/config`.
 */
export function gitEnv(base: NodeJS.ProcessEnv, config: [key: string, value: string][] = []): Record<string, string> {
  const env = pick(base, [...COMMON_NAMES, ...GIT_NAMES], COMMON_PREFIXES);
  const inherited = inheritedGitConfig(base);
  const entries = [...inherited, ...config];
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  if (entries.length) env.GIT_CONFIG_COUNT = String(entries.length);
  env.GIT_TERMINAL_PROMPT = '0';
  return env;
}

function inheritedGitConfig(base: NodeJS.ProcessEnv): [string, string][] {
  const count = Number.parseInt(base.GIT_CONFIG_COUNT ?? '0', 10);
  if (!Number.isFinite(count) || count <= 0) return [];
  const entries: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const key = base[`GIT_CONFIG_KEY_${i}`];
    if (key === undefined) continue; // git itself would refuse this; skip rather than shift indices blindly
    entries.push([key, base[`GIT_CONFIG_VALUE_${i}`] ?? '']);
  }
  return entries;
}
