import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import {
  DEFAULT_WHEN_MODIFIED, DEFAULT_WORKFLOW, parseRepoConfig,
} from '../../../src/core/terraform/repo-config.js';
import type { ProjectConfig } from '../../../src/core/terraform/repo-config.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The error a parse gives: its class, code and exact message. */
function problem(text: string, options: { knownWorkflows?: string[] } = {}): { name: string; code: string; message: string } {
  try {
    parseRepoConfig(text, 'atlantis.yaml', options);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error('expected parseRepoConfig to fail');
}

/** The research brief's full example, plus the project it depends on and a workflow with run/env steps. */
const FULL = yaml(
  'version: 3',
  'automerge: true',
  'parallel_plan: true',
  'parallel_apply: false',
  'abort_on_execution_order_fail: true',
  'delete_source_branch_on_merge: false',
  'autodiscover: {mode: auto, ignore_paths: ["sandbox/**"]}',
  'allowed_regexp_prefixes: [dev/, staging/]',
  'repo_locks: {mode: on_apply}',
  'projects:',
  '- name: my-project',
  '  dir: .',
  '  workspace: default',
  '  branch: /main/',
  '  terraform_version: v1.5.0',
  '  terraform_distribution: terraform',
  '  autoplan: {enabled: true, when_modified: ["*.tf", "../modules/**/*.tf"]}',
  '  plan_requirements: [approved, mergeable, undiverged]',
  '  apply_requirements: [approved, mergeable, undiverged]',
  '  import_requirements: [approved]',
  '  workflow: myworkflow',
  '  execution_order_group: 1',
  '  depends_on: [other-project]',
  '  repo_locks: {mode: on_plan}',
  '  silence_pr_comments: [apply]',
  '  custom_policy_check: false',
  '- name: other-project',
  '  dir: ./network/vpc/',
  '  workspace: staging',
  '  terraform_version: 1.11.4',
  '  autoplan:',
  '    enabled: false',
  '  workflow: scripted',
  'workflows:',
  '  myworkflow: {plan: {steps: [init, {plan: {extra_args: ["-lock","false"]}}]}, apply: {steps: [apply]}}',
  '  scripted:',
  '    plan:',
  '      steps:',
  '      - env: {name: TF_VAR_region, value: eu-west-1}',
  '      - env: {name: SHA, command: git rev-parse HEAD}',
  '      - run: ./scripts/check.sh',
  '      - run: {command: make lint, output: hide}',
  '      - init: {extra_args: [-upgrade]}',
  '      - plan',
);

describe('parseRepoConfig: a valid file', () => {
  it('parses the full example into normalized camelCase objects with defaults filled in', () => {
    const config = parseRepoConfig(FULL);
    expect(config).toEqual({
      version: 3,
      automerge: true,
      parallelPlan: true,
      parallelApply: false,
      abortOnExecutionOrderFail: true,
      deleteSourceBranchOnMerge: false,
      autodiscover: { mode: 'auto', ignorePaths: ['sandbox/**'] },
      repoLocksMode: 'on_apply',
      allowedRegexpPrefixes: ['dev/', 'staging/'],
      silencePrComments: [],
      projects: [
        {
          name: 'my-project', dir: '.', workspace: 'default', branch: 'main', terraformVersion: 'v1.5.0',
          terraformDistribution: 'terraform', autoplan: { enabled: true, whenModified: ['*.tf', '../modules/**/*.tf'] },
          planRequirements: ['approved', 'mergeable', 'undiverged'], applyRequirements: ['approved', 'mergeable', 'undiverged'],
          importRequirements: ['approved'], workflow: 'myworkflow', executionOrderGroup: 1, dependsOn: ['other-project'],
          repoLocksMode: 'on_plan', deleteSourceBranchOnMerge: false, silencePrComments: ['apply'], policyCheck: false,
          customPolicyCheck: false, line: 11,
          keyLines: {
            name: 11, dir: 12, workspace: 13, branch: 14, terraform_version: 15, terraform_distribution: 16, autoplan: 17,
            plan_requirements: 18, apply_requirements: 19, import_requirements: 20, workflow: 21, execution_order_group: 22,
            depends_on: 23, repo_locks: 24, silence_pr_comments: 25, custom_policy_check: 26,
          },
        },
        {
          name: 'other-project', dir: 'network/vpc', workspace: 'staging', branch: null, terraformVersion: '1.11.4',
          terraformDistribution: null, autoplan: { enabled: false, whenModified: [...DEFAULT_WHEN_MODIFIED] },
          planRequirements: [], applyRequirements: [], importRequirements: [], workflow: 'scripted', executionOrderGroup: 0,
          dependsOn: [], repoLocksMode: 'on_apply', deleteSourceBranchOnMerge: false, silencePrComments: [], policyCheck: false,
          customPolicyCheck: false, line: 27,
          keyLines: { name: 27, dir: 28, workspace: 29, terraform_version: 30, autoplan: 32, workflow: 33 },
        },
      ] satisfies ProjectConfig[],
      workflows: {
        myworkflow: {
          plan: [{ kind: 'init', extraArgs: [] }, { kind: 'plan', extraArgs: ['-lock', 'false'] }],
          apply: [{ kind: 'apply', extraArgs: [] }],
        },
        scripted: {
          plan: [
            { kind: 'env', name: 'TF_VAR_region', value: 'eu-west-1' },
            { kind: 'env', name: 'SHA', command: 'git rev-parse HEAD' },
            { kind: 'run', command: './scripts/check.sh', output: 'show', shell: null, shellArgs: [] },
            { kind: 'run', command: 'make lint', output: 'hide', shell: null, shellArgs: [] },
            { kind: 'init', extraArgs: ['-upgrade'] },
            { kind: 'plan', extraArgs: [] },
          ],
          apply: DEFAULT_WORKFLOW.apply,
        },
      },
      keyLines: {
        version: 1, automerge: 2, parallel_plan: 3, parallel_apply: 4, abort_on_execution_order_fail: 5, delete_source_branch_on_merge: 6,
        autodiscover: 7, allowed_regexp_prefixes: 8, repo_locks: 9, projects: 11, workflows: 35,
      },
    });
  });

  it('accepts an empty file and an empty project list', () => {
    for (const text of ['', '# nothing yet\n', yaml('version: 3', 'projects: []')]) {
      expect(parseRepoConfig(text)).toMatchObject({ version: 3, projects: [], workflows: {}, autodiscover: { mode: 'auto' } });
    }
  });

  it('fills in a minimal project: workspace default, autoplan on with the default patterns, locks on plan', () => {
    const [project] = parseRepoConfig(yaml('version: 2', 'projects:', '- dir: infra')).projects;
    expect(project).toMatchObject({
      name: null, dir: 'infra', workspace: 'default', autoplan: { enabled: true, whenModified: DEFAULT_WHEN_MODIFIED },
      applyRequirements: [], dependsOn: [], executionOrderGroup: 0, workflow: null, repoLocksMode: 'on_plan',
    });
  });

  it('allows two projects in one dir and workspace when both are named, and glob dirs without a name', () => {
    const config = parseRepoConfig(yaml(
      'version: 3', 'projects:', '- {name: a, dir: x}', '- {name: b, dir: x}', '- dir: envs/*', '- {dir: envs/*, workspace: two}',
    ));
    expect(config.projects.map((p) => [p.name, p.dir, p.workspace])).toEqual([
      ['a', 'x', 'default'], ['b', 'x', 'default'], [null, 'envs/*', 'default'], [null, 'envs/*', 'two'],
    ]);
  });

  it('accepts a server-side workflow named in knownWorkflows, and always "default"', () => {
    const text = yaml('version: 3', 'projects:', '- {dir: a, workflow: server-wf}', '- {dir: b, workflow: default}');
    expect(parseRepoConfig(text, 'atlantis.yaml', { knownWorkflows: ['server-wf'] }).projects.map((p) => p.workflow))
      .toEqual(['server-wf', 'default']);
  });

  it('records which keys a file wrote, so a written empty list differs from a default, and a null value counts as unwritten', () => {
    const config = parseRepoConfig(yaml('version: 3', 'projects:', '- dir: a', '  apply_requirements: []', '  workflow: ~', '- dir: b'));
    expect(config.projects.map((p) => [p.applyRequirements, p.keyLines])).toEqual([
      [[], { dir: 3, apply_requirements: 4 }],
      [[], { dir: 6 }],
    ]);
    expect(config.keyLines).toEqual({ version: 1, projects: 3 });
  });

  it('reads YAML anchors and merge keys the way Atlantis users write them', () => {
    const config = parseRepoConfig(yaml(
      'version: 3', 'projects:', '- &base', '  dir: a', '  apply_requirements: [approved]', '- <<: *base', '  dir: b',
    ));
    expect(config.projects.map((p) => [p.dir, p.applyRequirements])).toEqual([['a', ['approved']], ['b', ['approved']]]);
  });
});

const P = (...lines: string[]): string => yaml('version: 3', 'projects:', ...lines);

describe('parseRepoConfig: every problem names the file, the line and what to fix', () => {
  it.each([
    ['version missing', yaml('projects: []'), 'atlantis.yaml line 1: version: is required; add "version: 3" at the top of the file'],
    ['version 4', yaml('# header', 'version: 4'), 'atlantis.yaml line 2: version: only versions 2 and 3 are supported; write "version: 3"'],
    ['version quoted', yaml('version: "3"'), 'atlantis.yaml line 1: version: must be the number 3, not the text "3"; remove the quotes'],
    ['unknown top-level key', yaml('version: 3', 'project:', '- dir: .'),
      'atlantis.yaml line 2: unknown key "project"; allowed keys are: version, projects, workflows, automerge, parallel_plan, ' +
      'parallel_apply, abort_on_execution_order_fail, delete_source_branch_on_merge, autodiscover, repo_locks, ' +
      'allowed_regexp_prefixes, silence_pr_comments'],
    ['file is a list', yaml('- dir: .'), 'atlantis.yaml line 1: must be a mapping of version, projects, workflows, automerge, ' +
      'parallel_plan, parallel_apply, abort_on_execution_order_fail, delete_source_branch_on_merge, autodiscover, repo_locks, ' +
      'allowed_regexp_prefixes, silence_pr_comments, not a list'],
    ['projects is a mapping', yaml('version: 3', 'projects:', '  dir: .'), 'atlantis.yaml line 3: projects: must be a list, not a mapping'],
    ['unknown project key', P('- dir: a', '  worksapce: prod'), 'atlantis.yaml line 4: projects[0]: unknown key "worksapce"; allowed keys are: ' +
      'name, dir, workspace, branch, terraform_version, terraform_distribution, autoplan, plan_requirements, apply_requirements, ' +
      'import_requirements, workflow, execution_order_group, depends_on, repo_locks, delete_source_branch_on_merge, ' +
      'silence_pr_comments, policy_check, custom_policy_check'],
    ['dir missing', P('- dir: a', '- name: b', '  workspace: prod'), 'atlantis.yaml line 4: projects[1]: dir is required; use "." for the repository root'],
    ['dir escapes', P('- dir: a', '- dir: ../x'), 'atlantis.yaml line 4: projects[1].dir: escapes the repository; use a path inside it, relative to the root'],
    ['dir escapes after cleaning', P('- dir: a/../../x'), 'atlantis.yaml line 3: projects[0].dir: escapes the repository; use a path inside it, relative to the root'],
    ['dir is a list', P('- dir: [a, b]'), 'atlantis.yaml line 3: projects[0].dir: must be a text value, not a list'],
    ['workspace with a slash', P('- dir: a', '  workspace: prod/eu'), 'atlantis.yaml line 4: projects[0].workspace: is not a valid workspace: it cannot contain \'/\' or \'\\\''],
    ['name with glob characters', P('- dir: a', '  name: app*'), 'atlantis.yaml line 4: projects[0].name: cannot contain glob characters (\'*\', \'?\', \'[\'); only dir may be a glob'],
    ['name with a space', P('- dir: a', '  name: my app'), 'atlantis.yaml line 4: projects[0].name: is not allowed: use only letters, digits, \'.\', \'_\', \'-\', \'~\' and \'/\''],
    ['name on a glob dir', P('- dir: envs/*', '  name: envs'), 'atlantis.yaml line 4: projects[0].name: cannot be set when dir is a glob, which stands for several projects'],
    ['duplicate name', P('- {name: vpc, dir: a}', '- {name: vpc, dir: b}'), 'atlantis.yaml line 4: projects[1].name: is already the name of projects[0] (line 3); project names must be unique'],
    ['same dir and workspace unnamed', P('- {name: a, dir: x}', '- dir: ./x/'), 'atlantis.yaml line 4: projects[1]: projects[0] (line 3) has the same dir and workspace; give each of them a unique name'],
    ['terraform_version not a version', P('- dir: a', '  terraform_version: latest'), 'atlantis.yaml line 4: projects[0].terraform_version: is not a version; use one like v1.11.0 or 1.11.0, or a constraint like "~> 1.11.0"'],
    ['autoplan.enabled is text', P('- dir: a', '  autoplan:', '    enabled: yes'), 'atlantis.yaml line 5: projects[0].autoplan.enabled: must be true or false, not a text value'],
    ['when_modified is not a list', P('- dir: a', '  autoplan: {when_modified: "*.tf"}'), 'atlantis.yaml line 4: projects[0].autoplan.when_modified: must be a list, not a text value'],
    ['unknown autoplan key', P('- dir: a', '  autoplan:', '    enable: false'), 'atlantis.yaml line 5: projects[0].autoplan: unknown key "enable"; allowed keys are: enabled, when_modified'],
    ['unknown apply requirement', P('- dir: a', '  apply_requirements:', '  - approved', '  - reviewed'), 'atlantis.yaml line 6: projects[0].apply_requirements[1]: must be one of: approved, mergeable, undiverged'],
    ['unknown plan requirement', P('- dir: a', '  plan_requirements: [green]'), 'atlantis.yaml line 4: projects[0].plan_requirements[0]: must be one of: approved, mergeable, undiverged'],
    ['execution_order_group not a number', P('- dir: a', '  execution_order_group: first'), 'atlantis.yaml line 4: projects[0].execution_order_group: must be a whole number, not a text value'],
    ['execution_order_group a fraction', P('- dir: a', '  execution_order_group: 1.5'), 'atlantis.yaml line 4: projects[0].execution_order_group: must be a whole number, not a number with a fraction'],
    ['depends_on an unknown project', P('- {name: a, dir: a}', '- name: b', '  dir: b', '  depends_on:', '  - a', '  - vpc'), 'atlantis.yaml line 8: projects[1].depends_on[1]: names no project; project names are: a, b'],
    ['depends_on cycle', P('- {name: a, dir: a, depends_on: [c]}', '- {name: b, dir: b, depends_on: [a]}', '- {name: c, dir: c, depends_on: [b]}'), 'atlantis.yaml line 3: projects[0].depends_on: dependency cycle: a -> c -> b -> a'],
    ['depends_on itself', P('- {name: a, dir: a}', '- {name: b, dir: b, depends_on: [b]}'), 'atlantis.yaml line 4: projects[1].depends_on: dependency cycle: b -> b'],
    ['workflow not defined', P('- dir: a', '  workflow: custom'), 'atlantis.yaml line 4: projects[0].workflow: is not a defined workflow; define it under workflows: or use one of: default'],
    ['project repo_locks mode', P('- dir: a', '  repo_locks: {mode: always}'), 'atlantis.yaml line 4: projects[0].repo_locks.mode: must be one of: on_plan, on_apply, disabled'],
    ['branch without slashes', P('- dir: a', '  branch: main'), 'atlantis.yaml line 4: projects[0].branch: must be a regex between slashes, like /^main$/'],
    ['terraform_distribution', P('- dir: a', '  terraform_distribution: tofu'), 'atlantis.yaml line 4: projects[0].terraform_distribution: must be one of: terraform, opentofu'],
    ['autodiscover mode', yaml('version: 3', 'autodiscover:', '  mode: sometimes'), 'atlantis.yaml line 3: autodiscover.mode: must be one of: auto, enabled, disabled'],
    ['parallel_plan not a boolean', yaml('version: 3', 'parallel_plan: 1'), 'atlantis.yaml line 2: parallel_plan: must be true or false, not a whole number'],
    ['unsupported step', yaml('version: 3', 'workflows:', '  w:', '    plan:', '      steps: [init, show]'), 'atlantis.yaml line 5: workflows.w.plan.steps[1]: is not a step Atlantas runs; use init, plan, apply, {run: "command"} or {env: {name, value}}'],
    ['step with two keys', yaml('version: 3', 'workflows:', '  w:', '    apply:', '      steps:', '      - run: echo', '        env: {name: A, value: b}'), 'atlantis.yaml line 6: workflows.w.apply.steps[0]: a step has exactly one key, found 2: run, env'],
    ['env with value and command', yaml('version: 3', 'workflows:', '  w:', '    plan:', '      steps:', '      - env: {name: A, value: b, command: c}'), 'atlantis.yaml line 6: workflows.w.plan.steps[0].env: an env step needs exactly one of value or command'],
    ['run without command', yaml('version: 3', 'workflows:', '  w:', '    plan:', '      steps:', '      - run:', '          output: hide'), 'atlantis.yaml line 7: workflows.w.plan.steps[0].run: a run step needs a command: {run: "command"} or {run: {command: "..."}}'],
    ['extra_args typo', yaml('version: 3', 'workflows:', '  w:', '    plan:', '      steps:', '      - plan: {extra-args: [-x]}'), 'atlantis.yaml line 6: workflows.w.plan.steps[0].plan: unknown key "extra-args"; allowed keys are: extra_args'],
    ['unknown workflow stage', yaml('version: 3', 'workflows:', '  w:', '    policy_check:', '      steps: []'), 'atlantis.yaml line 4: workflows.w: unknown key "policy_check"; allowed keys are: plan, apply'],
  ])('%s', (_title, text, message) => {
    expect(problem(text)).toEqual({ name: 'InputError', code: 'repo_config_invalid', message });
  });

  it.each([
    ['unclosed flow list', yaml('version: 3', 'projects:', '- dir: a', '  depends_on: [b', 'workflows: {}'), 5, 'end with a ]'],
    ['tab indentation', yaml('version: 3', 'projects:', '\t- dir: a'), 3, 'Tabs are not allowed'],
    ['duplicate key', yaml('version: 3', 'projects:', '- dir: a', '  workspace: x', '  dir: b'), 5, 'Map keys must be unique'],
  ])('malformed YAML (%s) names the line', (_title, text, line, what) => {
    const { code, message } = problem(text);
    expect(code).toBe('repo_config_invalid');
    expect(message.startsWith(`atlantis.yaml line ${line}: invalid YAML: `)).toBe(true);
    expect(message).toContain(what);
  });

  it('refuses a file of nested aliases instead of expanding it exponentially', () => {
    const lines = ['version: 3', 'projects:', '- &x0 {dir: a, name: p0}'];
    for (let i = 1; i < 40; i++) lines.push(`- &x${i} {<<: [*x${i - 1}, *x${i - 1}], name: p${i}}`);
    expect(problem(yaml(...lines)).message).toMatch(/^atlantis\.yaml line \d+: projects\[\d+\]: more than 1000 aliases; simplify the file$/);
  });

  it('uses the given file name in messages', () => {
    expect(() => parseRepoConfig(yaml('version: 1'), 'atlantis.yml')).toThrow(/^atlantis\.yml line 1: version: only versions 2 and 3/);
  });
});
