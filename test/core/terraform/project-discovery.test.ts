import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPathMatcher, discoverProjects, listRepoFiles, projectsToAutoplan, resolveProjects,
} from '../../../src/core/terraform/project-discovery.js';
import type { RepoProject } from '../../../src/core/terraform/project-discovery.js';
import { parseRepoConfig } from '../../../src/core/terraform/repo-config.js';

const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
const dirsOf = (projects: { dir: string }[]) => projects.map((p) => p.dir);
const idsOf = (projects: RepoProject[]) => projects.map((p) => `${p.name ?? '-'}@${p.dir}:${p.workspace}`);

/** A monorepo: root project, env projects, a root-level shared modules/ and a project-local one. */
const REPO = [
  'README.md', 'main.tf', 'variables.tf', 'atlantis.yaml',
  'envs/prod/main.tf', 'envs/prod/prod.tfvars', 'envs/staging/main.tf.json', 'envs/staging/README.md',
  'tofu/stack/main.tofu',
  'modules/vpc/main.tf', 'modules/vpc/outputs.tf',
  'app/main.tf', 'app/modules/db/main.tf',
  'shared/modules/dns/main.tf',
  '.terraform/modules/x/main.tf', '.github/workflows/ci.tf', 'envs/prod/.terraform/providers/p.tf',
  'docs/guide.md',
];

describe('discoverProjects (no atlantis.yaml)', () => {
  it('finds every dir with .tf, .tf.json or .tofu files, skipping hidden dirs and anything under modules/', () => {
    expect(discoverProjects(REPO)).toEqual([
      { dir: '.', workspace: 'default', name: null },
      { dir: 'app', workspace: 'default', name: null },
      { dir: 'envs/prod', workspace: 'default', name: null },
      { dir: 'envs/staging', workspace: 'default', name: null },
      { dir: 'tofu/stack', workspace: 'default', name: null },
    ]);
  });

  it('finds nothing in a repository without terraform', () => {
    expect(discoverProjects(['README.md', 'src/index.ts'])).toEqual([]);
  });
});

describe('projectsToAutoplan without atlantis.yaml: the autoplan file list', () => {
  const plan = (modified: string[], repo = REPO, fileList?: string[]) => dirsOf(projectsToAutoplan(null, modified, repo, fileList));

  it("plans each modified terraform file's dir once, in order", () => {
    expect(plan(['envs/prod/main.tf', 'envs/prod/prod.tfvars', 'envs/staging/main.tf.json', 'main.tf'])).toEqual(['.', 'envs/prod', 'envs/staging']);
  });

  it('ignores files outside the list, even in a project dir', () => {
    expect(plan(['envs/staging/README.md', 'docs/guide.md', 'atlantis.yaml'])).toEqual([]);
  });

  it('uses the given file list instead of the default', () => {
    expect(plan(['envs/prod/prod.tfvars'])).toEqual(['envs/prod']);
    expect(plan(['envs/prod/prod.tfvars'], REPO, ['**/*.tf'])).toEqual([]);
    expect(plan(['envs/staging/README.md'], REPO, ['**/*.md'])).toEqual(['envs/staging']);
  });

  it('plans one level above modules/ when that dir holds terraform files', () => {
    expect(plan(['app/modules/db/main.tf'])).toEqual(['app']);
    expect(plan(['modules/vpc/outputs.tf'])).toEqual(['.']);
  });

  it('plans nothing for a modules/ change whose parent holds no terraform', () => {
    expect(plan(['shared/modules/dns/main.tf'])).toEqual([]);
    expect(plan(['modules/vpc/main.tf'], REPO.filter((f) => f !== 'main.tf' && f !== 'variables.tf'))).toEqual([]);
  });

  it('plans nothing for a dir that no longer holds terraform (deleted in the PR)', () => {
    expect(plan(['old/main.tf'])).toEqual([]);
  });
});

describe('projectsToAutoplan with atlantis.yaml projects: when_modified', () => {
  const config = parseRepoConfig(yaml(
    'version: 3',
    'projects:',
    '- name: project1',
    '  dir: project1',
    '  autoplan: {when_modified: ["*.tf", "../modules/**/*.tf"]}',
    '- name: project2',
    '  dir: project2',
    '- name: legacy',
    '  dir: legacy',
    '  autoplan: {when_modified: ["**/*.tf", "!old/**", "old/keep.tf"]}',
    '- name: off',
    '  dir: off',
    '  autoplan: {enabled: false}',
    '- name: settings',
    '  dir: settings',
    '  autoplan: {when_modified: ["config"]}',
  ));
  const repo = ['project1/main.tf', 'project2/main.tf', 'modules/vpc/main.tf', 'legacy/main.tf', 'legacy/old/a.tf', 'off/main.tf', 'settings/main.tf', 'other/main.tf'];
  const plan = (modified: string[]) => projectsToAutoplan(config, modified, repo).map((p) => p.name);

  it('selects a project when a modified file matches its patterns, relative to its dir', () => {
    expect(plan(['project1/main.tf'])).toEqual(['project1']);
    expect(plan(['project2/nested/x.tf'])).toEqual(['project2']);
    expect(plan(['project1/nested/x.tf'])).toEqual([]);
  });

  it('follows ../ patterns out of the project dir: a shared module change plans its callers', () => {
    expect(plan(['modules/vpc/main.tf'])).toEqual(['project1']);
  });

  it('honours ! negations with the last matching pattern winning', () => {
    expect(plan(['legacy/old/a.tf'])).toEqual([]);
    expect(plan(['legacy/old/keep.tf'])).toEqual(['legacy']);
    expect(plan(['legacy/main.tf'])).toEqual(['legacy']);
  });

  it('matches everything under a directory pattern, as .dockerignore does', () => {
    expect(plan(['settings/config/app.json'])).toEqual(['settings']);
  });

  it('skips projects with autoplan disabled', () => {
    expect(plan(['off/main.tf'])).toEqual([]);
  });

  it('does not auto-discover unconfigured dirs once projects are declared', () => {
    expect(plan(['other/main.tf', 'project2/main.tf'])).toEqual(['project2']);
  });

  it('returns the config with each selected project, in file order', () => {
    const planned = projectsToAutoplan(config, ['project2/main.tf', 'project1/main.tf'], repo);
    expect(planned.map((p) => [p.key, p.config?.name])).toEqual([['project1/default/project1', 'project1'], ['project2/default/project2', 'project2']]);
  });

  it('default when_modified covers terraform, tofu and the lock file but not other files', () => {
    const defaults = parseRepoConfig(yaml('version: 3', 'projects:', '- dir: infra'));
    const files = ['infra/main.tf'];
    expect(projectsToAutoplan(defaults, ['infra/.terraform.lock.hcl'], files)).toHaveLength(1);
    expect(projectsToAutoplan(defaults, ['infra/sub/x.tofu'], files)).toHaveLength(1);
    expect(projectsToAutoplan(defaults, ['infra/README.md', 'other/main.tf'], files)).toHaveLength(0);
  });
});

describe('autodiscover modes and glob dirs', () => {
  it('autodiscover enabled plans unconfigured dirs too, never twice, and leaves out ignore_paths', () => {
    const config = parseRepoConfig(yaml(
      'version: 3', 'autodiscover: {mode: enabled, ignore_paths: ["sandbox/**"]}', 'projects:', '- {name: prod, dir: envs/prod}',
    ));
    const repo = ['envs/prod/main.tf', 'envs/dev/main.tf', 'sandbox/x/main.tf'];
    const planned = projectsToAutoplan(config, ['envs/prod/main.tf', 'envs/dev/main.tf', 'sandbox/x/main.tf'], repo);
    expect(idsOf(planned)).toEqual(['prod@envs/prod:default', '-@envs/dev:default']);
    expect(idsOf(resolveProjects(config, repo))).toEqual(['prod@envs/prod:default', '-@envs/dev:default']);
  });

  it('autodiscover disabled with no projects plans nothing', () => {
    const config = parseRepoConfig(yaml('version: 3', 'autodiscover: {mode: disabled}'));
    expect(projectsToAutoplan(config, ['main.tf'], ['main.tf'])).toEqual([]);
    expect(resolveProjects(config, ['main.tf'])).toEqual([]);
  });

  it('a glob dir stands for each matching terraform dir, unless a project names that dir', () => {
    const config = parseRepoConfig(yaml(
      'version: 3', 'projects:', '- {name: prod, dir: envs/prod, apply_requirements: [approved]}', '- dir: envs/*', '  apply_requirements: [mergeable]',
    ));
    const repo = ['envs/prod/main.tf', 'envs/dev/main.tf', 'envs/qa/main.tf', 'envs/README.md'];
    const projects = resolveProjects(config, repo);
    expect(projects.map((p) => [p.key, p.config?.dir, p.config?.applyRequirements])).toEqual([
      ['envs/prod/default/prod', 'envs/prod', ['approved']],
      ['envs/dev/default/', 'envs/dev', ['mergeable']],
      ['envs/qa/default/', 'envs/qa', ['mergeable']],
    ]);
    expect(idsOf(projectsToAutoplan(config, ['envs/qa/main.tf'], repo))).toEqual(['-@envs/qa:default']);
  });
});

describe('resolveProjects', () => {
  const config = parseRepoConfig(yaml(
    'version: 3', 'projects:', '- {name: vpc, dir: network}', '- {name: vpc-staging, dir: network, workspace: staging}',
    '- {name: dns-a, dir: dns}', '- {name: dns-b, dir: dns}', '- dir: app',
  ));
  const projects = resolveProjects(config, ['network/main.tf', 'dns/main.tf', 'app/main.tf']);

  it('gives every project a stable key of dir, workspace and name', () => {
    expect(projects.map((p) => p.key)).toEqual([
      'network/default/vpc', 'network/staging/vpc-staging', 'dns/default/dns-a', 'dns/default/dns-b', 'app/default/',
    ]);
  });

  it('without atlantis.yaml, a discovered dir gets the default workspace and no name', () => {
    const discovered = resolveProjects(null, ['main.tf', 'envs/prod/main.tf']);
    expect(discovered.map((p) => p.key)).toEqual(['./default/', 'envs/prod/default/']);
    expect(discovered.every((p) => p.name === null && p.config === null)).toBe(true);
  });
});

describe('createPathMatcher', () => {
  it('matches like .dockerignore: globstar, single-segment stars, negation, parent dirs', () => {
    const m = createPathMatcher(['**/*.tf', '!vendor/**', 'vendor/keep.tf', 'docs']);
    expect(['a/b/c.tf', 'main.tf', 'vendor/keep.tf', 'docs/a/b.md'].every(m)).toBe(true);
    expect(['vendor/x.tf', 'a/b/c.tfvars', 'README.md'].some(m)).toBe(false);
    expect(createPathMatcher(['*.tf'])('a/main.tf')).toBe(false);
  });
});

describe('listRepoFiles on a real directory', () => {
  const temps: string[] = [];
  afterEach(async () => {
    await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'atlantas-repo-files-'));
    temps.push(dir);
    return dir;
  };
  const put = async (root: string, rel: string, text = 'x') => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  };

  it('lists files as sorted POSIX paths, skipping .git, .terraform and links that leave the repo', async () => {
    const repo = await tempDir();
    const outside = await tempDir();
    await put(outside, 'secret.tf', 'outside');
    await put(outside, 'dir/also.tf');
    for (const f of ['main.tf', 'envs/prod/main.tf', 'envs/prod/deep/er/x.tfvars', '.github/ci.yml', '.terraform.lock.hcl']) await put(repo, f);
    await put(repo, '.terraform/modules/m/main.tf');
    await put(repo, 'envs/prod/.terraform/providers/p');
    await put(repo, '.git/HEAD');
    await symlink(path.join(outside, 'secret.tf'), path.join(repo, 'escape.tf'));
    await symlink(path.join(outside, 'dir'), path.join(repo, 'escape-dir'));
    await symlink('../main.tf', path.join(repo, 'envs/linked.tf'));
    await symlink('missing.tf', path.join(repo, 'dangling.tf'));

    expect(await listRepoFiles(repo)).toEqual([
      '.github/ci.yml', '.terraform.lock.hcl', 'envs/linked.tf', 'envs/prod/deep/er/x.tfvars', 'envs/prod/main.tf', 'main.tf',
    ]);
  });

  it('feeds discovery directly', async () => {
    const repo = await tempDir();
    for (const f of ['a/main.tf', 'a/modules/m/main.tf', 'b/c/stack.tofu', 'README.md']) await put(repo, f);
    expect(dirsOf(discoverProjects(await listRepoFiles(repo)))).toEqual(['a', 'b/c']);
  });
});
