import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/core/errors.js';
import { terraformEnv } from '../../../src/core/terraform/child-env.js';
import { DEFAULT_TF_ENV_PASSTHROUGH, passthroughEnv, passthroughProblem } from '../../../src/core/terraform/env-passthrough.js';

const server = {
  PATH: '/usr/bin', HOME: '/home/atlantas',
  AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'aws-secret',
  GOOGLE_APPLICATION_CREDENTIALS: '/etc/gcp.json', CLOUDSDK_CORE_PROJECT: 'p1', ARM_CLIENT_ID: 'arm-id', AZURE_TENANT_ID: 'az',
  HCLOUD_TOKEN: 'hc', DIGITALOCEAN_TOKEN: 'do', TF_VAR_region: 'eu', HCLOUD_OTHER: 'not-named',
  DATABASE_URL: 'postgres://u:p@db/atlantas', ATLANTAS_ENCRYPTION_KEY: 'k', ATLANTAS_GH_TOKEN: 'ghp_x',
  SLACK_BOT_TOKEN: 'xoxb-1', GITHUB_TOKEN: 'ghp_y', TF_WORKSPACE: 'prod', TF_CLI_ARGS_apply: '-auto-approve',
};

function configProblems(value: string): string[] {
  try {
    loadConfig({ ATLANTAS_TF_ENV_PASSTHROUGH: value });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}

describe('ATLANTAS_TF_ENV_PASSTHROUGH', () => {
  it('by default passes the cloud providers\' credentials and TF_VAR_*, nothing else of the server', () => {
    const env = passthroughEnv(server, DEFAULT_TF_ENV_PASSTHROUGH);
    expect(env).toEqual({
      AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'aws-secret',
      GOOGLE_APPLICATION_CREDENTIALS: '/etc/gcp.json', CLOUDSDK_CORE_PROJECT: 'p1', ARM_CLIENT_ID: 'arm-id', AZURE_TENANT_ID: 'az',
      HCLOUD_TOKEN: 'hc', DIGITALOCEAN_TOKEN: 'do', TF_VAR_region: 'eu',
    });
  });

  it('matches exact names exactly and PREFIX_* by prefix', () => {
    expect(passthroughEnv(server, ['HCLOUD_TOKEN'])).toEqual({ HCLOUD_TOKEN: 'hc' });
    expect(passthroughEnv(server, ['HCLOUD_*'])).toEqual({ HCLOUD_TOKEN: 'hc', HCLOUD_OTHER: 'not-named' });
    expect(passthroughEnv(server, ['AWS_REGION', 'TF_VAR_*'])).toEqual({ AWS_REGION: 'eu-west-1', TF_VAR_region: 'eu' });
    expect(passthroughEnv(server, [])).toEqual({});
  });

  it('never passes the server\'s secrets or workspace/flag overrides, even when a pattern names them', () => {
    const env = passthroughEnv(server, ['DATABASE_URL', 'ATLANTAS_GH_TOKEN', 'SLACK_*', 'GITHUB_*', 'TF_*', 'TF_WORKSPACE']);
    expect(env).toEqual({ TF_VAR_region: 'eu' });
  });

  it('refuses patterns that could reach a secret, and malformed ones, saying what is wrong', () => {
    for (const bad of ['DATABASE_URL', 'DATABASE_*', 'ATLANTAS_*', 'ATLANTAS_GH_TOKEN', 'A*', 'AT*', 'SLACK_BOT_TOKEN', 'S*', 'GITHUB_*', 'GIT*', '*']) {
      expect(passthroughProblem(bad), bad).toMatch(/would pass the server's own secrets \(ATLANTAS_\*, DATABASE_URL, SLACK_\*, GITHUB_\*\)/);
    }
    for (const bad of ['AWS_*_KEY', 'my-var', '1X', 'A B']) expect(passthroughProblem(bad), bad).toMatch(/is not a variable name or a PREFIX_\* pattern/);
    for (const good of DEFAULT_TF_ENV_PASSTHROUGH.concat(['GOOGLE_CREDENTIALS', 'DATABRICKS_TOKEN', 'GITLAB_TOKEN', 'SSH_AUTH_SOCK'])) {
      expect(passthroughProblem(good), good).toBeNull();
    }
  });

  it('stops the server at start on such a pattern, naming the variable; defaults and `none` load', () => {
    const problems = configProblems('AWS_*,ATLANTAS_*,DATABASE_URL');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^ATLANTAS_TF_ENV_PASSTHROUGH: "ATLANTAS_\*" would pass the server's own secrets/);
    expect(problems[1]).toMatch(/^ATLANTAS_TF_ENV_PASSTHROUGH: "DATABASE_URL" would pass/);
    expect(configProblems('AWS_*,bad name')[0]).toMatch(/ATLANTAS_TF_ENV_PASSTHROUGH: "bad name" is not a variable name/);
    expect(loadConfig({}).terraform.envPassthrough).toEqual(DEFAULT_TF_ENV_PASSTHROUGH);
    expect(loadConfig({ ATLANTAS_TF_ENV_PASSTHROUGH: 'none' }).terraform.envPassthrough).toEqual([]);
    expect(loadConfig({ ATLANTAS_TF_ENV_PASSTHROUGH: ' HCLOUD_TOKEN , TF_VAR_* ' }).terraform.envPassthrough).toEqual(['HCLOUD_TOKEN', 'TF_VAR_*']);
  });

  it('reaches the terraform env beside the allowlist, which still hides the rest', () => {
    const { env, dropped } = terraformEnv(server, passthroughEnv(server, DEFAULT_TF_ENV_PASSTHROUGH));
    expect(env).toMatchObject({ PATH: '/usr/bin', AWS_SECRET_ACCESS_KEY: 'aws-secret', TF_VAR_region: 'eu', TF_IN_AUTOMATION: '1' });
    for (const name of ['DATABASE_URL', 'ATLANTAS_ENCRYPTION_KEY', 'SLACK_BOT_TOKEN', 'GITHUB_TOKEN', 'TF_WORKSPACE', 'HCLOUD_OTHER']) expect(env[name], name).toBeUndefined();
    expect(dropped).toEqual([]);
  });
});
