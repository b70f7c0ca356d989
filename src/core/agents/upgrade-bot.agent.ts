import posix from 'node:path/posix';
import { repoFullNameOf } from '../commands/registered-projects.js';
import { assertOutboundUrl, type OutboundPolicy } from '../outbound/outbound-guard.js';
import type { Project } from '../projects/project.model.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { RepoSource } from '../ports/repo-source.js';
import type { VcsHost } from '../ports/vcs-host.js';
import { listCheckoutFiles, readRepoFile, MAX_SOURCE_FILE_BYTES } from '../terraform/repo-file.js';
import type { WorkingCopies } from '../terraform/working-copy.js';
import type { AgentBehaviour, AgentContext, AgentResult, NotifiableFinding } from './agent-executor.js';
import { AGENT_CONFIG, type UpgradeBotConfig } from './agent.schemas.js';
import { RegistryClient } from './registry-client.js';
import { applyEdits, bumpConstraint, constraintSites } from './terraform-constraints.js';

/** One constraint the bot raises. */
interface Bump { file: string; name: string; source: string; from: string; to: string; latest: string }

const TF_FILE = /\.(tf|tofu)$/;

/**
 * upgrade_bot: per repository of the tenant's projects (or of its target project), reads the
 * `required_version` and `required_providers` constraints of each project directory on the
 * project's branch, asks the registry for the latest releases, and opens ONE pull request with
 * every bump: a branch (`config.branch`), one commit with the changed files, a body listing each
 * bump. While that PR is open the repository is skipped, so no duplicate is ever opened; once it
 * is merged or closed the next execution may propose again. The PR is an ordinary one: Atlantas
 * autoplans it like any other.
 */
export class UpgradeBotAgent implements AgentBehaviour {
  constructor(private readonly deps: { projects: Pick<ProjectsService, 'list'>; vcs: VcsHost; repos: RepoSource; workingCopies: WorkingCopies; outbound: OutboundPolicy }) {}

  async run(ctx: AgentContext): Promise<AgentResult> {
    const config = AGENT_CONFIG.upgrade_bot.parse(ctx.agent.config);
    // checked when the agent was saved too; again here, since the policy or the name's address may have changed since
    await assertOutboundUrl(config.registry_url, this.deps.outbound, 'config.registry_url');
    await assertOutboundUrl(config.releases_url, this.deps.outbound, 'config.releases_url');
    const registry = new RegistryClient({ registryUrl: config.registry_url, releasesUrl: config.releases_url, outbound: this.deps.outbound });
    const projects = (await this.deps.projects.list(ctx.actor)).filter((p) => p.repositoryUrl && (!ctx.agent.targetProjectId || p.id === ctx.agent.targetProjectId));
    const findings: NotifiableFinding[] = [];
    for (const [key, group] of groupByRepo(projects)) {
      const [repo, branch] = key.split('\u0000');
      findings.push(await this.upgradeRepo(ctx, config, registry, repo, branch, group));
    }
    const opened = findings.filter((f) => f.kind === 'upgrade.pull_request_opened').length;
    return { status: 'succeeded', summary: `${opened} pull request(s) opened for ${findings.length} repositor${findings.length === 1 ? 'y' : 'ies'}`, findings };
  }

  private async upgradeRepo(ctx: AgentContext, config: UpgradeBotConfig, registry: RegistryClient, repo: string, branch: string, projects: Project[]): Promise<NotifiableFinding> {
    const open = await this.deps.vcs.findOpenPullRequest(repo, config.branch);
    if (open) return { key: `open:${repo}#${open.number}`, kind: 'upgrade.pull_request_open', message: `${repo}: upgrade pull request #${open.number} is still open`, details: { url: open.htmlUrl } };
    const lease = await this.deps.workingCopies.checkout({
      tenantId: ctx.agent.tenantId, repoFullName: repo, cloneUrl: this.deps.repos.cloneUrl(repo), key: `agent-${ctx.agent.id}`, workspace: 'default',
      ref: branch, credentials: await this.deps.repos.cloneCredentials(repo, ctx.agent.tenantId), readOnly: true,
    });
    let bumps: Bump[];
    let files: { path: string; content: string }[];
    try {
      ({ bumps, files } = await planBumps(lease.dir, projects, registry));
    } finally {
      await lease.release();
    }
    if (!bumps.length) return { key: `current:${repo}@${lease.commitSha}`, kind: 'upgrade.up_to_date', message: `${repo}: every constraint allows the latest releases` };
    const commit = await this.deps.vcs.commitToBranch(repo, { branch: config.branch, baseSha: lease.commitSha, message: commitMessage(bumps), files });
    const pull = await this.deps.vcs.openPullRequest(repo, { head: config.branch, base: branch, title: 'Upgrade Terraform and provider versions', body: pullBody(bumps) });
    ctx.log.info({ repo, pull: pull.number, bumps: bumps.length }, 'upgrade pull request opened');
    return {
      key: `pull:${repo}#${pull.number}`, kind: 'upgrade.pull_request_opened', message: `${repo}: opened #${pull.number} with ${bumps.length} bump(s)`,
      details: { url: pull.htmlUrl, number: pull.number, commit: commit.sha, bumps },
    };
  }
}

/** Projects by (repository, branch): one pull request per repository and base branch. */
function groupByRepo(projects: Project[]): Map<string, Project[]> {
  const groups = new Map<string, Project[]>();
  for (const p of projects) {
    const key = `${repoFullNameOf(p.repositoryUrl)}\u0000${p.branch}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return groups;
}

/** The bumps of every terraform file directly in the projects' directories, and those files rewritten. */
async function planBumps(root: string, projects: Project[], registry: RegistryClient): Promise<{ bumps: Bump[]; files: { path: string; content: string }[] }> {
  const dirs = new Set(projects.map((p) => posix.normalize(p.terraformPath || '.')));
  const all = await listCheckoutFiles(root, new Set(['.git', '.terraform']));
  const bumps: Bump[] = [];
  const files: { path: string; content: string }[] = [];
  for (const file of all.filter((f) => TF_FILE.test(f) && dirs.has(posix.dirname(f)))) {
    const text = await readRepoFile(root, file, { maxBytes: MAX_SOURCE_FILE_BYTES, allowLinkInside: false });
    if (text === null) continue;
    const edits: { start: number; end: number; value: string }[] = [];
    for (const site of constraintSites(text)) {
      const latest = site.source === 'terraform' ? await registry.latestTerraform() : await registry.latestProvider(site.source);
      const to = latest && bumpConstraint(site.constraint, latest);
      if (!latest || !to) continue;
      edits.push({ start: site.start, end: site.end, value: to });
      bumps.push({ file, name: site.name, source: site.source, from: site.constraint, to, latest });
    }
    if (edits.length) files.push({ path: file, content: applyEdits(text, edits) });
  }
  return { bumps, files };
}

function commitMessage(bumps: Bump[]): string {
  const names = [...new Set(bumps.map((b) => b.name))];
  return `Upgrade ${names.join(', ')}\n\n${bumps.map((b) => `- ${b.file}: ${b.name} ${b.from} → ${b.to}`).join('\n')}\n`;
}

function pullBody(bumps: Bump[]): string {
  const rows = bumps.map((b) => `| \`${b.file}\` | ${b.name === 'terraform' ? 'terraform' : `\`${b.source}\``} | \`${b.from}\` | \`${b.to}\` | ${b.latest} |`);
  return [
    'The latest releases are outside these version constraints; this raises them.',
    '',
    '| file | what | from | to | latest |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Opened by the Atlantas upgrade bot. Atlantas plans this pull request like any other; review the plan before merging.',
  ].join('\n');
}
