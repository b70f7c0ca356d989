import { describe, expect, it } from 'vitest';
import { gitEnv, terraformEnv } from '../../../src/core/terraform/child-env.js';

const server = {
  PATH: '/usr/bin', HOME: '/home/a', LC_ALL: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128',
  TF_CLI_CONFIG_FILE: '/etc/tfrc', TF_TOKEN_app_terraform_io: 'registry-token',
  DATABASE_URL: 'postgres://u:p@db/x', ATLANTAS_GH_TOKEN: 'ghp_secret', ATLANTAS_ENCRYPTION_KEY: 'k',
  TF_WORKSPACE: 'prod', TF_CLI_ARGS: '-lock=false', TF_CLI_ARGS_plan: '-destroy', TF_DATA_DIR: '/shared',
};

describe('terraformEnv', () => {
  it('keeps paths, locale, proxies and terraform CLI settings, and none of the server secrets', () => {
    const { env } = terraformEnv(server);
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/a', LC_ALL: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128', TF_CLI_CONFIG_FILE: '/etc/tfrc' });
    expect(env.TF_TOKEN_app_terraform_io).toBe('registry-token');
    for (const name of ['DATABASE_URL', 'ATLANTAS_GH_TOKEN', 'ATLANTAS_ENCRYPTION_KEY', 'TF_WORKSPACE', 'TF_CLI_ARGS', 'TF_CLI_ARGS_plan', 'TF_DATA_DIR']) {
      expect(env[name], name).toBeUndefined();
    }
    expect(env).toMatchObject({ TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' });
  });

  it('adds the caller env, drops forbidden names and reports them, and keeps automation switches', () => {
    const { env, dropped } = terraformEnv(server, { AWS_REGION: 'eu-west-1', TF_WORKSPACE: 'x', TF_CLI_ARGS_apply: '-auto-approve', TF_INPUT: '1' });
    expect(env.AWS_REGION).toBe('eu-west-1');
    expect(env.TF_WORKSPACE).toBeUndefined();
    expect(env.TF_CLI_ARGS_apply).toBeUndefined();
    expect(env.TF_INPUT).toBe('0');
    expect(dropped.sort()).toEqual(['TF_CLI_ARGS_apply', 'TF_WORKSPACE']);
  });
});

describe('gitEnv', () => {
  it('appends config entries after the inherited GIT_CONFIG_COUNT ones, never overwriting them', () => {
    const env = gitEnv({ ...server, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'url.file:///r/.insteadOf', GIT_CONFIG_VALUE_0: 'https://github.com/' }, [
      ['http.https://github.com/.extraHeader', 'Authorization: Basic eA=='],
    ]);
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'url.file:///r/.insteadOf',
      GIT_CONFIG_VALUE_0: 'https://github.com/',
      GIT_CONFIG_KEY_1: 'http.https://github.com/.extraHeader',
      GIT_TERMINAL_PROMPT: '0',
    });
    expect(env.ATLANTAS_GH_TOKEN).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('sets no GIT_CONFIG_COUNT when there is nothing to configure', () => {
    expect(gitEnv({ PATH: '/bin' }).GIT_CONFIG_COUNT).toBeUndefined();
  });
});
