import posix from 'node:path/posix';
import { repoFullNameOf } from '../commands/registered-projects.js';
import { ConflictError } from '../errors.js';
import type { NotificationEvent } from '../notifications/notification.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RepoSource } from '../ports/repo-source.js';
import { discoverProjects } from '../terraform/project-discovery.js';
import { listCheckoutFiles } from '../terraform/repo-file.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import type { AgentBehaviour, AgentContext, AgentResult, NotifiableFinding } from './agent-executor.js';
import { AGENT_CONFIG } from './agent.schemas.js';

/**
 * codebase_monitor: scans a repository's default branch for root modules (directories with
 * terraform files, outside `modules/`, as Atlantis discovers projects) and keeps the registered
 * projects in step: a new root module is registered as a project, a registered project whose
 * directory no longer holds terraform files is unregistered. Both go through ProjectsService as
 * the agent's actor, so each is permission-checked and audited like a person's change, and each
 * is told once (`codebase.changed`, rendered in Slack). A
 * repository with an atlantis.yaml declares its own projects: it is reported and left alone.
 */
export class CodebaseMonitorAgent implements AgentBehaviour {
  constructor(private readonly deps: { projects: Pick<ProjectsService, 'list' | 'create' | 'delete'>; repos: RepoSource; workingCopies: WorkingCopies }) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const config = AGENT_CONFIG.codebase_monitor.parse(ctx.agent.config);
    const projects = await this.deps.projects.list(ctx.actor);
    const repos = config.repository_url
      ? [{ repo: repoFullNameOf(config.repository_url), url: config.repository_url, branch: config.branch }]
      : uniqueRepos(projects.filter((p) => p.repositoryUrl && (!ctx.agent.targetProjectId || p.id === ctx.agent.targetProjectId)));
    const findings: NotifiableFinding[] = [];
    for (const target of repos) findings.push(...(await this.scan(ctx, target, projects)));
    const changed = findings.filter((f) => f.kind !== 'codebase.declared_by_atlantis_yaml').length;
    return { status: 'succeeded', summary: changed ? `${changed} project(s) registered or unregistered` : 'projects match the code', findings };
  }

  private async scan(ctx: AgentContext, target: { repo: string; url: string; branch: string }, projects: Project[]): Promise<NotifiableFinding[]> {
    const lease = await this.deps.workingCopies.checkout({
      tenantId: ctx.agent.tenantId, repoFullName: target.repo, cloneUrl: this.deps.repos.cloneUrl(target.repo), key: `agent-${ctx.agent.id}`,
      workspace: 'default', ref: target.branch, credentials: await this.deps.repos.cloneCredentials(target.repo, ctx.agent.tenantId), readOnly: true,
    });
    let files: string[];
    try {
      files = await listCheckoutFiles(lease.dir, new Set(['.git', '.terraform']));
    } finally {
      await lease.release();
    }
    if (files.includes('atlantis.yaml') || files.includes('atlantis.yml')) {
      return [{ key: `atlantis-yaml:${target.repo}`, kind: 'codebase.declared_by_atlantis_yaml', message: `${target.repo}: atlantis.yaml declares the projects; nothing registered automatically` }];
    }
    const dirs = new Set(discoverProjects(files).map((p) => p.dir));
    const registered = projects.filter((p) => repoFullNameOf(p.repositoryUrl) === target.repo && p.branch === target.branch);
    const registeredDirs = new Set(registered.map((p) => posix.normalize(p.terraformPath || '.')));
    const findings: NotifiableFinding[] = [];
    for (const dir of [...dirs].filter((d) => !registeredDirs.has(d))) {
      const name = projectName(target.repo, dir);
      try {
        const project = await this.deps.projects.create(ctx.actor, {
          name, repository_url: target.url, terraform_path: dir, workspace: 'default', branch: target.branch, state_backend: 'platform', auto_apply: false,
        });
        findings.push({
          key: `registered:${project.id}`, kind: 'codebase.project_registered', message: `${target.repo}: registered ${dir} as project ${name}`, details: { project_id: project.id, dir },
          event: changed(ctx, 'registered', project.id, name, target.repo, dir),
        });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        findings.push({ key: `name-taken:${target.repo}:${dir}`, kind: 'codebase.name_taken', message: `${target.repo}: ${dir} is new, but a project named ${name} exists; register it by hand` });
      }
    }
    for (const project of registered.filter((p) => !dirs.has(posix.normalize(p.terraformPath || '.')))) {
      await this.deps.projects.delete(ctx.actor, project.id);
      findings.push({
        key: `unregistered:${project.id}`, kind: 'codebase.project_unregistered',
        message: `${target.repo}: ${project.terraformPath} has no terraform files any more; unregistered project ${project.name}`, details: { project_id: project.id },
        // the project row is gone: the event carries its name and path, and is routed to the tenant's channel
        event: changed(ctx, 'unregistered', null, project.name, target.repo, posix.normalize(project.terraformPath || '.')),
      });
    }
    return findings;
  }
}

/** The notification of one registration change (told once: the finding's key names the project). */
function changed(ctx: AgentContext, change: 'registered' | 'unregistered', projectId: string | null, projectName: string, repoFullName: string, dir: string): NotificationEvent {
  return { kind: 'codebase.changed', tenantId: ctx.agent.tenantId, projectId, change, projectName, repoFullName, dir, agentName: ctx.agent.name };
}

function uniqueRepos(projects: Project[]): { repo: string; url: string; branch: string }[] {
  const seen = new Map<string, { repo: string; url: string; branch: string }>();
  for (const p of projects) {
    const repo = repoFullNameOf(p.repositoryUrl);
    seen.set(`${repo}\u0000${p.branch}`, { repo, url: p.repositoryUrl, branch: p.branch });
  }
  return [...seen.values()];
}

/** `<repo>-<dir>` as a project name (letters, digits, ".", "_", "-"), e.g. infra-envs-prod. */
export function projectName(repo: string, dir: string): string {
  const base = repo.split('/')[1] ?? repo;
  const raw = dir === '.' ? base : `${base}-${dir.replace(/\//g, '-')}`;
  return raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100) || 'project';
}
