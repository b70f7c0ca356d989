import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { effectiveRepoPolicy, policyForProject, type EffectiveRepoPolicy } from '../../../src/core/repo-policy/effective-policy.js';
import { parseServerRepoConfig, serverWorkflowNames, withServerDefaults, type ServerRepoConfig } from '../../../src/core/repo-policy/server-repo-config.js';
import { DEFAULT_WORKFLOW, parseRepoConfig, type RepoConfig } from '../../../src/core/terraform/repo-config.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const TARGET = { repoFullName: 'acme/infra', baseBranch: 'main' };

const server = (...lines: string[]): ServerRepoConfig => withServerDefaults(parseServerRepoConfig(yaml(...lines), 'repos.yaml'), { applyRequirements: [] });
const repo = (s: ServerRepoConfig, ...lines: string[]): RepoConfig =>
  parseRepoConfig(yaml('version: 3', ...lines), 'atlantis.yaml', { knownWorkflows: serverWorkflowNames(s) });
const policy = (s: ServerRepoConfig, ...lines: string[]): EffectiveRepoPolicy => effectiveRepoPolicy(s, TARGET, repo(s, ...lines));
const apply = (p: EffectiveRepoPolicy) => p.projects.map((x) => x.applyRequirements);

/** The InputError effectiveRepoPolicy refuses the repo config with. */
function refusal(s: ServerRepoConfig, ...lines: string[]): string {
  try {
    policy(s, ...lines);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('repo_config_not_allowed');
    return (err as Error).message;
  }
  throw new Error('expected the repo config to be refused');
}

const REQUIRES_APPROVAL = ['repos:', '- id: /.*/', '  apply_requirements: [approved]', '  plan_requirements: [mergeable]', '  import_requirements: [approved]'];

describe('requirements: a repo may add to the server\'s, never drop them (Atlantas\'s difference)', () => {
  it('without an override, adds the repo\'s requirements to the server\'s and refuses nothing', () => {
    const p = policy(server(...REQUIRES_APPROVAL), 'projects:',
      '- {dir: a}',
      '- {dir: b, apply_requirements: [approved]}',
      '- {dir: c, apply_requirements: [mergeable], plan_requirements: [approved], import_requirements: []}',
      '- {dir: d, apply_requirements: []}');
    expect(apply(p)).toEqual([['approved'], ['approved'], ['approved', 'mergeable'], ['approved']]);
    expect(p.projects.map((x) => x.planRequirements)).toEqual([['mergeable'], ['mergeable'], ['mergeable', 'approved'], ['mergeable']]);
    expect(p.projects.map((x) => x.importRequirements)).toEqual([['approved'], ['approved'], ['approved'], ['approved']]);
    expect(p.defaults).toMatchObject({ config: null, applyRequirements: ['approved'], planRequirements: ['mergeable'] });
  });

  it('with the key in allowed_overrides, lets the repo\'s list (even an empty one) replace the server\'s', () => {
    const s = server(...REQUIRES_APPROVAL, '  allowed_overrides: [apply_requirements, plan_requirements]');
    const p = policy(s, 'projects:', '- {dir: a}', '- {dir: c, apply_requirements: [mergeable], plan_requirements: []}', '- {dir: d, apply_requirements: []}');
    expect(apply(p)).toEqual([['approved'], ['mergeable'], []]);
    expect(p.projects.map((x) => x.planRequirements)).toEqual([['mergeable'], [], ['mergeable']]);
    expect(p.projects[1].importRequirements).toEqual(['approved']); // not overridable here
  });

  it('takes the server\'s requirements from the last matching entry, per base branch', () => {
    const s = server('repos:', '- {id: /.*/, apply_requirements: [mergeable]}', '- {id: acme/infra, branch: /^main$/, apply_requirements: [approved]}');
    expect(apply(effectiveRepoPolicy(s, TARGET, repo(s, 'projects:', '- {dir: a}')))).toEqual([['approved']]);
    expect(apply(effectiveRepoPolicy(s, { ...TARGET, baseBranch: 'dev' }, repo(s, 'projects:', '- {dir: a}')))).toEqual([['mergeable']]);
    expect(effectiveRepoPolicy(s, { repoFullName: 'acme/other', baseBranch: 'main' }, null).defaults.applyRequirements).toEqual(['mergeable']);
  });
});

describe('ATLANTAS_APPLY_REQUIREMENTS is a first entry matching every repository', () => {
  const env = (applyRequirements: ('approved' | 'mergeable')[], file: ServerRepoConfig | null = null) => withServerDefaults(file, { applyRequirements });
  const repoConfigs = [
    ['projects:', '- {dir: a}'],
    ['projects:', '- {dir: a, apply_requirements: [mergeable]}', '- {dir: b, apply_requirements: [approved, undiverged]}'],
  ];

  it('gives exactly what the same requirements in a match-all file entry give', () => {
    const fromFile = server('repos:', '- id: /.*/', '  apply_requirements: [approved]');
    for (const lines of repoConfigs) {
      expect(apply(policy(env(['approved']), ...lines))).toEqual(apply(policy(fromFile, ...lines)));
    }
  });

  it('keeps today\'s rule without a file: the project\'s requirements plus the server\'s', () => {
    const p = policy(env(['approved']), ...repoConfigs[1]);
    expect(apply(p)).toEqual([['approved', 'mergeable'], ['approved', 'undiverged']]);
    expect(effectiveRepoPolicy(env(['approved']), TARGET, null).defaults.applyRequirements).toEqual(['approved']);
    expect(effectiveRepoPolicy(env([]), TARGET, null).defaults.applyRequirements).toEqual([]);
  });

  it('is overridden key by key by the file\'s entries, which come after it', () => {
    const file = parseServerRepoConfig(yaml('repos:', '- {id: acme/infra, apply_requirements: [mergeable]}', '- {id: /.*/, allowed_overrides: [workflow]}'));
    const s = env(['approved'], file);
    expect(s.repos.map((r) => r.origin)).toEqual(['ATLANTAS_APPLY_REQUIREMENTS', 'repos.yaml line 2: repos[0]', 'repos.yaml line 3: repos[1]']);
    expect(effectiveRepoPolicy(s, TARGET, null).defaults.applyRequirements).toEqual(['mergeable']);
    expect(effectiveRepoPolicy(s, { repoFullName: 'zeta/x', baseBranch: 'main' }, null).defaults.applyRequirements).toEqual(['approved']);
  });
});

describe('restricted keys: a repo config may set them only where allowed_overrides says, or it is refused', () => {
  const none = () => server('repos:', '- id: /.*/');
  it.each([
    ['workflow', '  workflow: default'],
    ['delete_source_branch_on_merge', '  delete_source_branch_on_merge: false'],
    ['repo_locks', '  repo_locks: {mode: disabled}'],
    ['silence_pr_comments', '  silence_pr_comments: [plan]'],
    ['custom_policy_check', '  custom_policy_check: false'],
  ])('%s', (key, line) => {
    expect(refusal(none(), 'projects:', '- dir: a', line)).toBe(
      `atlantis.yaml line 4: projects[0].${key}: repo config not allowed to set '${key}' key: server-side config needs 'allowed_overrides: [${key}]' (ATLANTAS_REPO_CONFIG)`);
    const allowed = server('repos:', '- id: /.*/', `  allowed_overrides: [${key}]`);
    expect(() => policy(allowed, 'projects:', '- dir: a', line)).not.toThrow();
  });

  it('applies allowed project and file-level values, and quietly keeps the server\'s where a file-level key is not allowed, as Atlantis does', () => {
    const strict = server('repos:', '- {id: /.*/, repo_locks: {mode: on_apply}}');
    const quiet = policy(strict, 'repo_locks: {mode: disabled}', 'silence_pr_comments: [plan]', 'projects:', '- dir: a');
    expect(quiet.projects[0]).toMatchObject({ repoLocksMode: 'on_apply', silencePrComments: [], deleteSourceBranchOnMerge: false });
    const open = server('repos:', '- {id: /.*/, repo_locks: {mode: on_apply}, allowed_overrides: [repo_locks, silence_pr_comments, delete_source_branch_on_merge]}');
    const p = policy(open, 'repo_locks: {mode: disabled}', 'silence_pr_comments: [plan]', 'delete_source_branch_on_merge: true', 'projects:',
      '- dir: a', '- {dir: b, repo_locks: {mode: on_plan}, silence_pr_comments: [], delete_source_branch_on_merge: false}');
    expect(p.projects.map((x) => [x.repoLocksMode, x.silencePrComments, x.deleteSourceBranchOnMerge])).toEqual([
      ['disabled', ['plan'], true], ['on_plan', [], false],
    ]);
  });
});

describe('workflows', () => {
  const WORKFLOWS = ['workflows:', '  strict: {plan: {steps: [init, {plan: {extra_args: [-lock-timeout=5m]}}]}}', '  fast: {plan: {steps: [plan]}}'];
  const CUSTOM = ['workflows:', '  mine: {plan: {steps: [{run: ./check.sh}, init, plan]}}', 'projects:', '- {dir: a, workflow: mine}'];

  it('refuses a repo that defines its own workflows unless allow_custom_workflows: true', () => {
    const s = server('repos:', '- {id: /.*/, allowed_overrides: [workflow]}');
    expect(refusal(s, ...CUSTOM)).toBe(
      "atlantis.yaml line 3: workflows: repo config not allowed to define custom workflows: server-side config needs 'allow_custom_workflows: true' (ATLANTAS_REPO_CONFIG)");
    const p = policy(server('repos:', '- {id: /.*/, allowed_overrides: [workflow], allow_custom_workflows: true}'), ...CUSTOM);
    expect(p.projects[0].workflow).toMatchObject({ name: 'mine', source: 'repo', steps: { plan: [{ kind: 'run', command: './check.sh' }, { kind: 'init' }, { kind: 'plan' }] } });
  });

  it('refuses a workflow outside allowed_workflows, without quoting its name', () => {
    const s = server('repos:', '- {id: /.*/, allowed_overrides: [workflow], allowed_workflows: [strict]}', ...WORKFLOWS);
    const message = refusal(s, 'projects:', '- {dir: a, workflow: fast}');
    expect(message).toBe("atlantis.yaml line 3: projects[0].workflow: the workflow is not allowed for this repo: server-side config 'allowed_workflows' lists only strict (ATLANTAS_REPO_CONFIG)");
    expect(message).not.toContain('fast');
    expect(() => refusal(s, 'projects:', '- {dir: a, workflow: default}')).not.toThrow(); // not exempt: the server chose
    expect(policy(s, 'projects:', '- {dir: a, workflow: strict}').projects[0].workflow).toMatchObject({ name: 'strict', source: 'server' });
  });

  it('lets a repo-defined workflow outside allowed_workflows through only with allow_custom_workflows', () => {
    const s = server('repos:', '- {id: /.*/, allowed_overrides: [workflow], allowed_workflows: [strict], allow_custom_workflows: true}', ...WORKFLOWS);
    expect(policy(s, ...CUSTOM).projects[0].workflow.source).toBe('repo');
  });

  it('refuses a workflow defined neither in the repo nor on the server, listing the server\'s', () => {
    const s = server('repos:', '- {id: /.*/, allowed_overrides: [workflow]}', ...WORKFLOWS);
    const config = parseRepoConfig(yaml('version: 3', 'projects:', '- {dir: a, workflow: nowhere}'), 'atlantis.yaml', { knownWorkflows: ['nowhere'] });
    expect(() => effectiveRepoPolicy(s, TARGET, config)).toThrow(
      'atlantis.yaml line 3: projects[0].workflow: names a workflow defined neither in this file nor on the server (server workflows: default, strict, fast) (ATLANTAS_REPO_CONFIG)');
  });

  it('gives projects the server\'s workflow for the repo, a redefined default, or the built-in one', () => {
    const s = server('repos:', '- {id: acme/infra, workflow: strict}', ...WORKFLOWS);
    expect(policy(s, 'projects:', '- dir: a').projects[0].workflow).toMatchObject({ name: 'strict', source: 'server', steps: { plan: [{ kind: 'init' }, { kind: 'plan', extraArgs: ['-lock-timeout=5m'] }] } });
    expect(effectiveRepoPolicy(s, { repoFullName: 'acme/x', baseBranch: 'main' }, null).defaults.workflow).toEqual({ name: 'default', source: 'builtin', steps: DEFAULT_WORKFLOW });
    const redefined = server('workflows:', '  default: {plan: {steps: [init, {plan: {extra_args: [-refresh=false]}}]}}');
    expect(effectiveRepoPolicy(redefined, TARGET, null).defaults.workflow).toMatchObject({ name: 'default', source: 'server' });
  });
});

describe('the rest of the policy', () => {
  it('finds a discovered project\'s policy by its atlantis.yaml entry, and the defaults for others', () => {
    const s = server(...REQUIRES_APPROVAL);
    const config = repo(s, 'projects:', '- {dir: a, apply_requirements: [undiverged]}', '- dir: b');
    const p = effectiveRepoPolicy(s, TARGET, config);
    expect(policyForProject(p, config.projects[0]).applyRequirements).toEqual(['approved', 'undiverged']);
    expect(policyForProject(p, config.projects[1]).config).toBe(config.projects[1]);
    expect(policyForProject(p, null)).toBe(p.defaults);
  });

  it('lets the server\'s autodiscover replace the repo\'s entirely, and passes repo_config_file on', () => {
    const s = server('repos:', '- {id: /.*/, autodiscover: {mode: disabled}, repo_config_file: infra/atlantis.yaml}');
    const p = policy(s, 'autodiscover: {mode: enabled, ignore_paths: [x/*]}', 'projects:', '- dir: a');
    expect(p).toMatchObject({ autodiscover: { mode: 'disabled', ignorePaths: [] }, repoConfigFile: 'infra/atlantis.yaml' });
    expect(policy(server('repos:', '- id: /.*/'), 'autodiscover: {mode: enabled}').autodiscover.mode).toBe('enabled');
  });
});
