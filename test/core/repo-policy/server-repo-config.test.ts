import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseServerRepoConfig, serverWorkflowNames } from '../../../src/core/repo-policy/server-repo-config.js';
import { matchingEntries, serverSettings } from '../../../src/core/repo-policy/server-settings.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const SECRET = 's3cr3t-Value';

/** The message a parse fails with (an InputError with the repo-config code). */
function problem(text: string): string {
  try {
    parseServerRepoConfig(text, 'repos.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('repo_config_invalid');
    return (err as Error).message;
  }
  throw new Error('expected parseServerRepoConfig to fail');
}

/** Atlantis's documented example, without the keys Atlantas refuses (hooks, policy_check: true). */
const FULL = yaml(
  'repos:',
  '- id: /.*/',
  '  branch: /.*/',
  '  repo_config_file: path/to/atlantis.yaml',
  '  plan_requirements: [approved, mergeable, undiverged]',
  '  apply_requirements: [approved, mergeable, undiverged, approved]',
  '  import_requirements: [approved]',
  '  workflow: custom',
  '  allowed_overrides: [apply_requirements, workflow, delete_source_branch_on_merge, repo_locking, repo_locks, custom_policy_check]',
  '  allowed_workflows: [custom]',
  '  allow_custom_workflows: true',
  '  delete_source_branch_on_merge: false',
  '  repo_locking: true',
  '  repo_locks:',
  '    mode: on_apply',
  '  custom_policy_check: false',
  '  policy_check: false',
  '  autodiscover: {mode: enabled, ignore_paths: [foo/*]}',
  '  silence_pr_comments: [apply]',
  '- id: github.com/myorg/specific-repo',
  'workflows:',
  '  custom:',
  '    plan:',
  '      steps:',
  '      - run: my-custom-command arg1 arg2',
  '      - init',
  '      - plan: {extra_args: ["-lock", "false"]}',
  '    apply:',
  '      steps: [apply]',
);

describe('parseServerRepoConfig: a valid file', () => {
  it('reads every key of Atlantis\'s example, a later bare entry, and the workflows', () => {
    const config = parseServerRepoConfig(FULL, 'repos.yaml');
    expect(config.repos).toHaveLength(2);
    const [all, specific] = config.repos;
    expect(all).toEqual({
      id: { kind: 'regex', regex: /.*/i }, branch: /.*/, origin: 'repos.yaml line 2: repos[0]',
      repoConfigFile: 'path/to/atlantis.yaml',
      planRequirements: ['approved', 'mergeable', 'undiverged'], applyRequirements: ['approved', 'mergeable', 'undiverged'],
      importRequirements: ['approved'], workflow: 'custom',
      allowedOverrides: ['apply_requirements', 'workflow', 'delete_source_branch_on_merge', 'repo_locking', 'repo_locks', 'custom_policy_check'],
      allowedWorkflows: ['custom'], allowCustomWorkflows: true, deleteSourceBranchOnMerge: false, repoLocking: true,
      repoLocksMode: 'on_apply', policyCheck: false, customPolicyCheck: false,
      autodiscover: { mode: 'enabled', ignorePaths: ['foo/*'] }, silencePrComments: ['apply'],
    });
    expect(specific).toMatchObject({ id: { kind: 'exact', id: 'github.com/myorg/specific-repo' }, branch: null, origin: 'repos.yaml line 20: repos[1]' });
    expect(Object.values(specific).filter((v) => v === undefined)).toHaveLength(15); // every other key left to earlier entries
    expect(config.workflows.custom.plan).toEqual([
      { kind: 'run', command: 'my-custom-command arg1 arg2', output: 'show', shell: null, shellArgs: [] },
      { kind: 'init', extraArgs: [] }, { kind: 'plan', extraArgs: ['-lock', 'false'] },
    ]);
    expect(serverWorkflowNames(config)).toEqual(['default', 'custom']);
    expect(config.notes).toEqual([]);
  });

  it('accepts an empty file, an empty list, and JSON (what --repo-config-json holds)', () => {
    for (const text of ['', '# nothing\n', 'repos: []\n', '{"repos": [{"id": "acme/infra", "apply_requirements": ["approved"]}]}']) {
      expect(() => parseServerRepoConfig(text)).not.toThrow();
    }
    expect(parseServerRepoConfig('{"repos": [{"id": "acme/infra", "apply_requirements": ["approved"]}]}').repos[0].applyRequirements).toEqual(['approved']);
  });

  it('accepts delete_source_branch_on_merge: true with a note to log, since Atlantas merges nothing', () => {
    const config = parseServerRepoConfig(yaml('repos:', '- id: /.*/', '  delete_source_branch_on_merge: true'));
    expect(config.notes).toEqual([expect.stringMatching(/^repos\.yaml line 2: repos\[0\]\.delete_source_branch_on_merge: accepted and ignored/)]);
  });

  it('accepts policy_check and custom_policy_check only as false', () => {
    expect(parseServerRepoConfig(yaml('repos:', '- {id: /.*/, policy_check: false, custom_policy_check: false}')).repos[0])
      .toMatchObject({ policyCheck: false, customPolicyCheck: false });
    expect(problem(yaml('repos:', '- id: /.*/', '  policy_check: true'))).toBe(
      'repos.yaml line 3: repos[0].policy_check: true is not supported: Atlantas runs no policy checks; remove it or set it to false');
    expect(problem(yaml('repos:', '- id: /.*/', '  custom_policy_check: true'))).toMatch(/^repos\.yaml line 3: repos\[0\]\.custom_policy_check: true is not supported/);
  });

  it('refuses workflow hooks and Atlantis\'s other top-level sections, saying what Atlantas does instead', () => {
    expect(problem(yaml('repos:', '- id: /.*/', '  pre_workflow_hooks:', '  - run: ./setup.sh'))).toBe(
      'repos.yaml line 4: repos[0].pre_workflow_hooks: is not supported by Atlantas: it runs no workflow hooks; remove pre_workflow_hooks');
    expect(problem(yaml('repos:', '- id: /.*/', '  post_workflow_hooks: [{run: x}]'))).toMatch(/line 3: repos\[0\]\.post_workflow_hooks: is not supported/);
    expect(problem(yaml('policies:', '  policy_sets: []'))).toMatch(/^repos\.yaml line 2: policies: is not supported by Atlantas: it runs no conftest/);
    expect(problem(yaml('metrics: {prometheus: {endpoint: /metrics}}'))).toMatch(/metrics: is not supported by Atlantas: it serves Prometheus metrics at \/metrics/);
    expect(problem(yaml('team_authz: {command: x}'))).toMatch(/team_authz: is not supported by Atlantas/);
  });
});

describe('matching repos: entries to a repository and base branch', () => {
  const config = (id: string, extra = '') => parseServerRepoConfig(yaml('repos:', `- id: ${id}`, ...(extra ? [`  ${extra}`] : [])), 'repos.yaml');
  const matches = (id: string, repoFullName: string, options: { baseBranch?: string | null; extra?: string; host?: string } = {}) => {
    const server = { ...config(id, options.extra), vcsHost: options.host ?? 'github.com' };
    return matchingEntries(server, { repoFullName, baseBranch: options.baseBranch === undefined ? 'main' : options.baseBranch }).length === 1;
  };

  it('matches an exact id as owner/repo or host/owner/repo, case-insensitively like GitHub', () => {
    expect(matches('acme/infra', 'acme/infra')).toBe(true);
    expect(matches('github.com/acme/infra', 'Acme/Infra')).toBe(true);
    expect(matches('Acme/Infra', 'acme/infra')).toBe(true);
    expect(matches('acme/infra', 'acme/infra-2')).toBe(false);
    expect(matches('github.com/acme/infra', 'acme/infra', { host: 'ghe.example.com' })).toBe(false);
    expect(matches('ghe.example.com/acme/infra', 'acme/infra', { host: 'ghe.example.com' })).toBe(true);
  });

  it('searches a regex id anywhere in host/owner/repo, unanchored as Atlantis (Go MatchString) does', () => {
    expect(matches('/.*/', 'anyone/anything')).toBe(true);
    expect(matches('/acme/', 'acme/infra')).toBe(true);
    expect(matches('/acme/', 'notacme/infra')).toBe(true); // unanchored: anchor it to mean one owner
    expect(matches('/^github\\.com\\/acme\\//', 'notacme/infra')).toBe(false);
    expect(matches('/^github\\.com\\/acme\\//', 'ACME/infra')).toBe(true);
    expect(matches('/infra$/', 'acme/infra-prod')).toBe(false);
  });

  it('applies a branch-scoped entry only to pull requests into a matching base branch', () => {
    expect(matches('/.*/', 'acme/infra', { extra: 'branch: /^main$/', baseBranch: 'main' })).toBe(true);
    expect(matches('/.*/', 'acme/infra', { extra: 'branch: /^main$/', baseBranch: 'main-2' })).toBe(false);
    expect(matches('/.*/', 'acme/infra', { extra: 'branch: /release/', baseBranch: 'v1-release-x' })).toBe(true);
    expect(matches('/.*/', 'acme/infra', { extra: 'branch: /^main$/', baseBranch: null })).toBe(false);
    expect(matches('/.*/', 'acme/infra', { baseBranch: null })).toBe(true);
  });

  it('lets later matching entries override earlier ones key by key, and skips entries that do not match', () => {
    const server = parseServerRepoConfig(yaml(
      'repos:',
      '- {id: /.*/, apply_requirements: [approved], allowed_overrides: [workflow], repo_locks: {mode: on_apply}}',
      '- {id: acme/infra, apply_requirements: [mergeable, undiverged]}',
      '- {id: acme/other, apply_requirements: []}',
      '- {id: /^github\\.com\\/acme\\//, branch: /^main$/, allowed_overrides: []}',
    ), 'repos.yaml');
    expect(serverSettings(server, { repoFullName: 'acme/infra', baseBranch: 'main' })).toMatchObject({
      repoId: 'github.com/acme/infra', applyRequirements: ['mergeable', 'undiverged'], allowedOverrides: [], repoLocksMode: 'on_apply',
      matched: ['repos.yaml line 2: repos[0]', 'repos.yaml line 3: repos[1]', 'repos.yaml line 5: repos[3]'],
    });
    expect(serverSettings(server, { repoFullName: 'acme/infra', baseBranch: 'dev' })).toMatchObject({ allowedOverrides: ['workflow'] });
    expect(serverSettings(server, { repoFullName: 'acme/other', baseBranch: 'dev' })).toMatchObject({ applyRequirements: [] });
    expect(serverSettings(server, { repoFullName: 'zeta/x', baseBranch: 'main' })).toMatchObject({ applyRequirements: ['approved'], allowCustomWorkflows: false, workflow: 'default' });
  });

  it('lets the deprecated repo_locking: false disable repo locks whatever repo_locks says', () => {
    const server = parseServerRepoConfig(yaml('repos:', '- {id: /.*/, repo_locking: false}', '- {id: /.*/, repo_locks: {mode: on_apply}}'));
    expect(serverSettings(server, { repoFullName: 'a/b', baseBranch: 'main' }).repoLocksMode).toBe('disabled');
  });
});

describe('parseServerRepoConfig: every problem names the file, the line and the fix, and never quotes the value', () => {
  const cases: [string, string, RegExp][] = [
    ['whole file', SECRET, /^repos\.yaml line 1: must be a mapping of repos, workflows$/],
    ['repos', `repos: ${SECRET}`, /^repos\.yaml line 1: repos: must be a list$/],
    ['entry', `repos:\n- ${SECRET}`, /^repos\.yaml line 2: repos\[0\]: must be a mapping of id, branch/],
    ['missing id', 'repos:\n- apply_requirements: [approved]', /^repos\.yaml line 2: repos\[0\]: id is required: owner\/repo, github\.com\/owner\/repo, or a \/regex\//],
    ['id shape', `repos:\n- id: ${SECRET} x`, /^repos\.yaml line 2: repos\[0\]\.id: must be owner\/repo, github\.com\/owner\/repo, or a regex/],
    ['id type', `repos:\n- id: {${SECRET}: 1}`, /^repos\.yaml line 2: repos\[0\]\.id: must be owner\/repo/],
    ['id regex', `repos:\n- id: /(${SECRET}/`, /^repos\.yaml line 2: repos\[0\]\.id: is not a valid regular expression \(Unterminated group\)$/],
    ['branch', `repos:\n- id: /.*/\n  branch: ${SECRET}`, /^repos\.yaml line 3: repos\[0\]\.branch: must be a regex between slashes, like \/\^main\$\/$/],
    ['requirement', `repos:\n- id: /.*/\n  apply_requirements: [approved, ${SECRET}]`, /^repos\.yaml line 3: repos\[0\]\.apply_requirements\[1\]: must be one of: approved, mergeable, undiverged$/],
    ['requirements type', `repos:\n- id: /.*/\n  plan_requirements: ${SECRET}`, /^repos\.yaml line 3: repos\[0\]\.plan_requirements: must be a list$/],
    ['override', `repos:\n- id: /.*/\n  allowed_overrides: [${SECRET}]`, /^repos\.yaml line 3: repos\[0\]\.allowed_overrides\[0\]: must be one of: plan_requirements, apply_requirements/],
    ['bool', `repos:\n- id: /.*/\n  allow_custom_workflows: ${SECRET}`, /^repos\.yaml line 3: repos\[0\]\.allow_custom_workflows: must be true or false$/],
    ['bool as text', `repos:\n- id: /.*/\n  allow_custom_workflows: "true"`, /^repos\.yaml line 3: repos\[0\]\.allow_custom_workflows: must be true or false$/],
    ['repo_locks', `repos:\n- id: /.*/\n  repo_locks: {mode: ${SECRET}}`, /^repos\.yaml line 3: repos\[0\]\.repo_locks\.mode: must be one of: on_plan, on_apply, disabled$/],
    ['autodiscover', `repos:\n- id: /.*/\n  autodiscover: {mode: ${SECRET}}`, /^repos\.yaml line 3: repos\[0\]\.autodiscover\.mode: must be one of: auto, enabled, disabled$/],
    ['silence', `repos:\n- id: /.*/\n  silence_pr_comments: [${SECRET}]`, /^repos\.yaml line 3: repos\[0\]\.silence_pr_comments\[0\]: must be one of: plan, apply$/],
    ['workflow', `repos:\n- id: /.*/\n  workflow: ${SECRET}`, /^repos\.yaml line 3: repos\[0\]\.workflow: names a workflow not defined under workflows: \(defined: default\)$/],
    ['allowed workflow', `repos:\n- id: /.*/\n  allowed_workflows: [${SECRET}]`, /^repos\.yaml line 3: repos\[0\]\.allowed_workflows\[0\]: names a workflow not defined/],
    ['repo_config_file', `repos:\n- id: /.*/\n  repo_config_file: ../${SECRET}`, /^repos\.yaml line 3: repos\[0\]\.repo_config_file: must be a file path relative to the repository root, without a leading \/ or \.\.$/],
    ['absolute repo_config_file', `repos:\n- id: /.*/\n  repo_config_file: /etc/${SECRET}`, /repo_config_file: must be a file path relative/],
    ['unknown key', 'repos:\n- id: /.*/\n  apply_requirement: [approved]', /^repos\.yaml line 3: repos\[0\]: unknown key "apply_requirement"; allowed keys are: id, branch,/],
    ['odd key', `repos:\n- id: /.*/\n  "${SECRET} x": 1`, /^repos\.yaml line 3: repos\[0\]: unknown key; allowed keys are: id/],
    ['workflows', `workflows: ${SECRET}`, /^repos\.yaml line 1: workflows: must be a mapping of workflow names to \{plan, apply\}$/],
    ['one workflow', `workflows:\n  w: ${SECRET}`, /^repos\.yaml line 2: workflows\.w: must be a mapping of plan, apply$/],
    ['steps', `workflows:\n  w: {plan: {steps: ${SECRET}}}`, /^repos\.yaml line 2: workflows\.w\.plan\.steps: must be a list$/],
    ['YAML syntax', `repos:\n- id: /.*/\n   bad: [${SECRET}`, /^repos\.yaml line \d+: invalid YAML: /],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    const message = problem(text);
    expect(message).toMatch(expected);
    expect(message).not.toContain(SECRET);
    expect(message.toLowerCase()).not.toContain(SECRET.toLowerCase());
  });
});
