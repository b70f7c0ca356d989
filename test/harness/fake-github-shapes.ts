import type { FakeComment, FakeFile, FakePullRequest, FakeReaction, FakeRepo, FakeReview, FakeStatus } from './fake-github-state.js';

/**
 * GitHub's REST wire format for the fake's records: the fields GitHub sends (a realistic subset,
 * same names and types), with URLs on the fake's own base so that links and pagination work.
 */
export function userJson(base: string, login: string) {
  const id = loginId(login);
  return {
    login, id, node_id: `MDQ6VXNlcj${id}`, avatar_url: `${base}/avatars/u/${id}?v=4`, gravatar_id: '',
    url: `${base}/users/${login}`, html_url: `${base}/${login}`, type: login.endsWith('[bot]') ? 'Bot' : 'User', site_admin: false,
  };
}

export function repoJson(base: string, repo: FakeRepo) {
  const [owner] = repo.fullName.split('/');
  return {
    id: repo.id, node_id: `R_${repo.id}`, name: repo.fullName.split('/')[1], full_name: repo.fullName, private: true,
    owner: userJson(base, owner), html_url: `${base}/${repo.fullName}`, url: `${base}/repos/${repo.fullName}`,
    clone_url: `${base}/${repo.fullName}.git`, default_branch: 'main',
  };
}

export function commentJson(base: string, c: FakeComment) {
  return {
    id: c.id, node_id: `IC_${c.id}`, url: `${base}/repos/${c.repo}/issues/comments/${c.id}`,
    html_url: `${base}/${c.repo}/pull/${c.issue}#issuecomment-${c.id}`, issue_url: `${base}/repos/${c.repo}/issues/${c.issue}`,
    body: c.body, user: userJson(base, c.user), created_at: c.createdAt, updated_at: c.createdAt,
    author_association: 'NONE', reactions: { url: `${base}/repos/${c.repo}/issues/comments/${c.id}/reactions`, total_count: 0 },
  };
}

export function reactionJson(base: string, r: FakeReaction) {
  return { id: r.id, node_id: `REA_${r.id}`, user: userJson(base, r.user), content: r.content, created_at: r.createdAt };
}

export function statusJson(base: string, s: FakeStatus) {
  return {
    url: `${base}/repos/${s.repo}/statuses/${s.sha}`, avatar_url: null, id: s.id, node_id: `SC_${s.id}`, state: s.state,
    description: s.description, target_url: s.targetUrl, context: s.context, created_at: s.createdAt, updated_at: s.createdAt,
    creator: userJson(base, s.creator),
  };
}

export function pullJson(base: string, repo: FakeRepo, pr: FakePullRequest, mergeable: boolean | null) {
  const api = `${base}/repos/${repo.fullName}`;
  const side = (ref: string, sha: string) => ({ label: `${repo.fullName.split('/')[0]}:${ref}`, ref, sha, user: userJson(base, repo.fullName.split('/')[0]), repo: repoJson(base, repo) });
  return {
    url: `${api}/pulls/${pr.number}`, id: repo.id * 10_000 + pr.number, node_id: `PR_${pr.number}`,
    html_url: `${base}/${repo.fullName}/pull/${pr.number}`, diff_url: `${base}/${repo.fullName}/pull/${pr.number}.diff`,
    issue_url: `${api}/issues/${pr.number}`, statuses_url: `${api}/statuses/${pr.headSha}`,
    number: pr.number, state: pr.state, locked: false, title: pr.title, user: userJson(base, pr.author), body: pr.body,
    created_at: pr.createdAt, updated_at: pr.createdAt, closed_at: pr.state === 'closed' ? pr.createdAt : null,
    merged_at: pr.merged ? pr.createdAt : null, merge_commit_sha: pr.merged ? pr.headSha : null,
    draft: pr.draft, head: { ...side(pr.headRef, pr.headSha), repo: headRepoJson(base, repo, pr.headRepo) }, base: side(pr.baseRef, pr.baseSha),
    author_association: 'MEMBER', merged: pr.merged, mergeable, rebaseable: mergeable,
    mergeable_state: mergeable === null ? 'unknown' : pr.draft ? 'draft' : pr.mergeableState,
    merged_by: null, comments: 0, review_comments: 0, maintainer_can_modify: false, commits: pr.aheadBy,
    additions: pr.files.length, deletions: 0, changed_files: pr.files.length,
  };
}

/** GitHub sends `head.repo: null` once a fork is deleted. */
function headRepoJson(base: string, repo: FakeRepo, headRepo: string | null) {
  if (headRepo === null) return null;
  const own = repoJson(base, repo);
  return headRepo === repo.fullName ? own : { ...own, full_name: headRepo, name: headRepo.split('/')[1], fork: true };
}

export function reviewJson(base: string, repo: FakeRepo, pr: FakePullRequest, r: FakeReview) {
  return {
    id: r.id, node_id: `PRR_${r.id}`, user: userJson(base, r.user), body: '', state: r.state,
    html_url: `${base}/${repo.fullName}/pull/${pr.number}#pullrequestreview-${r.id}`,
    pull_request_url: `${base}/repos/${repo.fullName}/pulls/${pr.number}`, author_association: 'MEMBER',
    submitted_at: r.submittedAt, commit_id: r.commitId,
  };
}

export function fileJson(base: string, repo: FakeRepo, pr: FakePullRequest, f: FakeFile) {
  const status = f.status ?? (f.previous_filename ? 'renamed' : 'modified');
  return {
    sha: pr.headSha, filename: f.filename, status, additions: 1, deletions: 0, changes: 1,
    blob_url: `${base}/${repo.fullName}/blob/${pr.headSha}/${f.filename}`,
    raw_url: `${base}/${repo.fullName}/raw/${pr.headSha}/${f.filename}`,
    contents_url: `${base}/repos/${repo.fullName}/contents/${f.filename}?ref=${pr.headSha}`,
    patch: '@@ -0,0 +1 @@\n+# changed',
    ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
  };
}

export function compareJson(base: string, repo: FakeRepo, basehead: string, c: { aheadBy: number; behindBy: number }) {
  const status = c.aheadBy && c.behindBy ? 'diverged' : c.aheadBy ? 'ahead' : c.behindBy ? 'behind' : 'identical';
  return {
    url: `${base}/repos/${repo.fullName}/compare/${basehead}`, html_url: `${base}/${repo.fullName}/compare/${basehead}`,
    permalink_url: `${base}/${repo.fullName}/compare/${basehead}`, status, ahead_by: c.aheadBy, behind_by: c.behindBy,
    total_commits: c.aheadBy, commits: [], files: [],
  };
}

export function installationJson(base: string, repo: FakeRepo, appId: string, slug: string) {
  const id = repo.installationId!;
  return {
    id, account: userJson(base, repo.fullName.split('/')[0]), repository_selection: 'selected',
    access_tokens_url: `${base}/app/installations/${id}/access_tokens`, repositories_url: `${base}/installation/repositories`,
    html_url: `${base}/settings/installations/${id}`, app_id: Number(appId), app_slug: slug, target_id: loginId(repo.fullName),
    target_type: 'Organization', permissions: INSTALLATION_PERMISSIONS, events: ['issue_comment', 'pull_request'],
    created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', single_file_name: null, suspended_at: null,
  };
}

export const INSTALLATION_PERMISSIONS = { contents: 'read', issues: 'write', metadata: 'read', pull_requests: 'write', statuses: 'write' };

/** a stable numeric id per login, as GitHub's user ids are */
function loginId(login: string): number {
  let h = 7;
  for (const ch of login.toLowerCase()) h = (h * 31 + ch.charCodeAt(0)) % 90_000_000;
  return h + 1_000;
}
