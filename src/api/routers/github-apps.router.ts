import Router from '@koa/router';
import type { Core } from '../../core/index.js';
import type { GitHubAppView } from '../../core/github-apps/github-apps.service.js';
import { CreateGitHubAppInput, TreeQuery } from '../../core/github-apps/github-app.schemas.js';
import type { GitHubRepoSummary } from '../../core/ports/github-apps.js';
import { requireActor } from '../actor-from-request.js';
import type { AppState } from '../types.js';
import { parse } from '../validate.js';
import { iso } from '../presenters/iso.js';


const appJson = (a: GitHubAppView) => ({
  id: a.id, name: a.name, app_id: a.appId, installation_id: a.installationId, account_login: a.accountLogin,
  has_webhook_secret: a.hasWebhookSecret, repos_synced_at: iso(a.reposSyncedAt), created_by: a.createdBy, created_at: iso(a.createdAt), updated_at: iso(a.updatedAt),
});

const repoJson = (r: GitHubRepoSummary) => {
  const [owner, name] = r.fullName.split('/');
  return { full_name: r.fullName, owner, name, private: r.private, default_branch: r.defaultBranch, html_url: r.htmlUrl };
};

/** GitHub Apps of the caller's tenant (the key and secret go in, never out) and what their installations reach. */
export function githubAppsRouter(core: Core) {
  const router = new Router<AppState>({ prefix: '/api/v1/github/apps' });
  router.use(requireActor(core));
  const repo = (params: Record<string, string | undefined>) => `${params.owner}/${params.repo}`;
  router.get('/', async (ctx) => {
    ctx.body = (await core.githubApps.list(ctx.state.actor)).map(appJson);
  });
  router.post('/', async (ctx) => {
    ctx.body = appJson(await core.githubApps.create(ctx.state.actor, parse(CreateGitHubAppInput, ctx.request.body)));
    ctx.status = 201;
  });
  router.delete('/:id', async (ctx) => {
    await core.githubApps.delete(ctx.state.actor, ctx.params.id);
    ctx.status = 204;
  });
  router.get('/:id/repos', async (ctx) => {
    ctx.body = (await core.githubApps.repositories(ctx.state.actor, ctx.params.id)).map(repoJson);
  });
  router.get('/:id/repos/:owner/:repo/branches', async (ctx) => {
    ctx.body = await core.githubApps.branches(ctx.state.actor, ctx.params.id, repo(ctx.params));
  });
  router.get('/:id/repos/:owner/:repo/tree', async (ctx) => {
    const { ref } = parse(TreeQuery, ctx.query);
    const tree = await core.githubApps.tree(ctx.state.actor, ctx.params.id, repo(ctx.params), ref);
    ctx.body = { repository: repo(ctx.params), ref: tree.ref, sha: tree.sha, truncated: tree.truncated, tree: tree.entries };
  });
  router.get('/:id/repos/:owner/:repo/terraform-workspaces', async (ctx) => {
    const { ref } = parse(TreeQuery, ctx.query);
    const found = await core.githubApps.terraformWorkspaces(ctx.state.actor, ctx.params.id, repo(ctx.params), ref);
    ctx.body = { repository: found.repository, ref: found.ref, sha: found.sha, config_file: found.configFile, workspaces: found.workspaces };
  });
  return router;
}
