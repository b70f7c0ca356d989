import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { InputError, NotFoundError, UnavailableError } from '../../../src/core/errors.js';
import { WorkingCopies, type CheckoutRequest } from '../../../src/core/terraform/working-copy.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';

const TOKEN = 'ghs_FAKEtoken0123456789abcdef';
const CREDS = { username: 'x-access-token', password: TOKEN };
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');

async function setup(baseEnv?: (bare: BareRepo) => NodeJS.ProcessEnv) {
  const bare = await createBareRepo();
  onTestFinished(() => bare.cleanup());
  const root = await mkdtemp(path.join(tmpdir(), 'atlantas-repos-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  const logs = captureLogs('debug');
  const copies = new WorkingCopies({ root, log: logs.log, baseEnv: baseEnv ? baseEnv(bare) : { ...process.env, ...insteadOfEnv(bare.root) } });
  const req = (over: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    tenantId: 't1', repoFullName: 'acme/infra', cloneUrl: bare.cloneUrl, key: 'ref-main', workspace: 'default', ...over,
  });
  return { bare, root, logs, copies, req };
}

function head(dir: string): string {
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

async function grepTree(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const content = await readFile(file);
    if (needles.some((n) => content.includes(n))) hits.push(file);
  }
  return hits;
}

describe('WorkingCopies', () => {
  it('clones at the exact commit under <root>/<tenant>/<owner>/<repo>/<key>/<workspace>', async () => {
    const { bare, root, copies, req } = await setup();
    const sha1 = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    await bare.commitFiles({ 'main.tf': 'v2' }, 'second');
    const lease = await copies.checkout(req({ commitSha: sha1 }));
    onTestFinished(() => lease.release());
    expect(lease).toMatchObject({ dir: path.join(root, 't1', 'acme', 'infra', 'ref-main', 'default'), commitSha: sha1 });
    expect(head(lease.dir)).toBe(sha1);
    expect(await readFile(path.join(lease.dir, 'main.tf'), 'utf8')).toBe('v1');
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: lease.dir, encoding: 'utf8' }).trim();
    expect(origin).toBe('https://github.com/acme/infra.git');
  });

  it('reuses and fetches a copy for a new commit, removing stale files but keeping .terraform', async () => {
    const { bare, copies, req } = await setup();
    await bare.commitFiles({ 'main.tf': 'v1', 'old.tf': 'old' }, 'first');
    const first = await copies.checkout(req({ ref: 'main' }));
    await mkdir(path.join(first.dir, '.terraform', 'providers'), { recursive: true });
    await writeFile(path.join(first.dir, 'stale_override.tf'), 'left by an earlier run');
    await writeFile(path.join(first.dir, 'main.tf'), 'modified in place');
    await first.release();
    const sha2 = await bare.commitFiles({ 'main.tf': 'v2', 'old.tf': null }, 'second');
    const second = await copies.checkout(req({ ref: 'main' }));
    onTestFinished(() => second.release());
    expect(second.dir).toBe(first.dir);
    expect(second.commitSha).toBe(sha2);
    expect(head(second.dir)).toBe(sha2);
    expect(await readFile(path.join(second.dir, 'main.tf'), 'utf8')).toBe('v2');
    expect(existsSync(path.join(second.dir, 'old.tf'))).toBe(false);
    expect(existsSync(path.join(second.dir, 'stale_override.tf'))).toBe(false);
    expect(existsSync(path.join(second.dir, '.terraform', 'providers'))).toBe(true);
  });

  it('resets a copy a run wrote into even at the same commit, and leaks no deleted file into the next commit', async () => {
    const { bare, copies, req, logs } = await setup();
    const sha1 = await bare.commitFiles({ 'main.tf': 'v1', 'gone.tf': 'deleted next' }, 'first');
    const run1 = await copies.checkout(req({ commitSha: sha1 }));
    await writeFile(path.join(run1.dir, 'main.tf'), 'changed by a run');
    await writeFile(path.join(run1.dir, 'left.tf'), 'left by a run');
    await run1.release();
    const run2 = await copies.checkout(req({ commitSha: sha1 }));
    expect(await readFile(path.join(run2.dir, 'main.tf'), 'utf8')).toBe('v1');
    expect(existsSync(path.join(run2.dir, 'left.tf'))).toBe(false);
    await run2.release();
    const sha2 = await bare.commitFiles({ 'main.tf': 'v2', 'gone.tf': null }, 'second');
    const fetches = () => logs.lines.filter((l) => l.msg === 'git' && (l.args as string[])[0] === 'fetch').length;
    const before = fetches();
    const run3 = await copies.checkout(req({ commitSha: sha2 }));
    onTestFinished(() => run3.release());
    expect(fetches()).toBe(before + 1); // a commit not here yet is fetched
    expect(head(run3.dir)).toBe(sha2);
    expect(await readFile(path.join(run3.dir, 'main.tf'), 'utf8')).toBe('v2');
    expect(existsSync(path.join(run3.dir, 'gone.tf'))).toBe(false);
  });

  it('skips git work it already did: no fetch for a commit at hand, no reset after read-only leases', async () => {
    const { bare, copies, req, logs } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const gitCalls = async (fn: () => Promise<void>) => {
      const from = logs.lines.length;
      await fn();
      return logs.lines.slice(from).filter((l) => l.msg === 'git').map((l) => (l.args as string[])[0]);
    };
    await (await copies.checkout(req({ commitSha: sha, readOnly: true }))).release(); // clones
    // the commit the copy was checked out at is known to be in it: no git process at all
    expect(await gitCalls(async () => (await copies.checkout(req({ commitSha: sha, readOnly: true }))).release())).toEqual([]);
    // a writable lease at the same commit needs no reset; its release resets the copy it may have
    // written into, so the next checkout at that commit (a re-plan) starts no git process either
    let lease = await copies.checkout(req({ commitSha: sha }));
    expect(await gitCalls(() => lease.release())).toEqual(['checkout', 'clean']);
    expect(await gitCalls(async () => void (lease = await copies.checkout(req({ commitSha: sha }))))).toEqual([]);
    expect(await gitCalls(() => lease.release())).toEqual(['checkout', 'clean']);
    // another commit is looked for (and fetched when missing: the fetch changed the copy, so its
    // maintenance runs); the copy was reset, so nothing is left to clean
    const next = await bare.commitFiles({ 'main.tf': 'v2' }, 'second');
    expect(await gitCalls(async () => void (lease = await copies.checkout(req({ commitSha: next }))))).toEqual(['cat-file', 'fetch', 'maintenance', 'cat-file', 'checkout']);
    await lease.release();
    // a branch's tip is read from the ref git's fetch wrote, with no rev-parse process; a fetch
    // that changed nothing is followed by no maintenance
    expect(await gitCalls(async () => (await copies.checkout(req({ ref: 'main', readOnly: true }))).release())).toEqual(['fetch']);
    // a fetch that moved a branch is
    await bare.commitFiles({ 'main.tf': 'v3' }, 'third');
    expect(await gitCalls(async () => (await copies.checkout(req({ ref: 'main', readOnly: true }))).release())).toEqual(['fetch', 'maintenance', 'checkout']);
  });

  it("fetches a run's commit from the copy its command read the repository in, not from the remote again", async () => {
    const { bare, copies, req, logs } = await setup();
    const sha1 = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    await (await copies.checkout(req({ key: 'ref-main', commitSha: sha1 }))).release(); // the run's copy exists, at an older commit
    const sha2 = await bare.commitFiles({ 'main.tf': 'v2' }, 'second');
    // the command resolves main (one fetch of the remote) in its own copy...
    const resolved = await copies.checkout(req({ key: 'resolve-ref-main', ref: 'main', readOnly: true }));
    expect(resolved.commitSha).toBe(sha2);
    await resolved.release();
    await bare.cleanup(); // ...and the remote is gone: only the seed can give the run its commit
    const from = logs.lines.length;
    const run = await copies.checkout(req({ key: 'ref-main', commitSha: sha2, seedKey: 'resolve-ref-main' }));
    onTestFinished(() => run.release());
    expect(head(run.dir)).toBe(sha2);
    expect(await readFile(path.join(run.dir, 'main.tf'), 'utf8')).toBe('v2');
    const fetches = logs.lines.slice(from).filter((l) => l.msg === 'git' && (l.args as string[])[0] === 'fetch').map((l) => (l.args as string[]).at(-2));
    expect(fetches).toEqual([resolved.dir]);
  });

  it('falls back to the remote when the seed copy lacks the commit or does not exist', async () => {
    const { bare, copies, req } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const run = await copies.checkout(req({ key: 'ref-main', commitSha: sha, seedKey: 'resolve-ref-main' }));
    expect(head(run.dir)).toBe(sha);
    await run.release();
  });

  it('checks out a pull request ref that no branch points at, by ref or by sha', async () => {
    const { bare, copies, req } = await setup();
    await bare.commitFiles({ 'main.tf': 'base' }, 'base');
    const prSha = await bare.commitFiles({ 'main.tf': 'pr' }, 'pr change', { branch: 'fork-branch' });
    await bare.setRef('refs/pull/7/head', prSha);
    await bare.git('update-ref', '-d', 'refs/heads/fork-branch');
    const byRef = await copies.checkout(req({ key: 'pr-7', ref: 'refs/pull/7/head' }));
    expect(byRef.commitSha).toBe(prSha);
    expect(await readFile(path.join(byRef.dir, 'main.tf'), 'utf8')).toBe('pr');
    await byRef.release();
    const bySha = await copies.checkout(req({ key: 'pr-7', workspace: 'staging', ref: 'refs/pull/7/head', commitSha: prSha }));
    expect(head(bySha.dir)).toBe(prSha);
    await bySha.release();
  });

  it('lets concurrent leases at the same commit share one copy', async () => {
    const { bare, copies, req } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const [a, b] = await Promise.all([copies.checkout(req({ commitSha: sha })), copies.checkout(req({ ref: 'main' }))]);
    expect(a.dir).toBe(b.dir);
    expect([a.commitSha, b.commitSha]).toEqual([sha, sha]);
    await a.release();
    await b.release();
  });

  it('makes a checkout at another commit wait until the leases are released', async () => {
    const { bare, copies, req, logs } = await setup();
    const sha1 = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const sha2 = await bare.commitFiles({ 'main.tf': 'v2' }, 'second');
    const [a, b] = await Promise.all([copies.checkout(req({ commitSha: sha1 })), copies.checkout(req({ commitSha: sha1 }))]);
    const events: string[] = [];
    const waiting = copies.checkout(req({ commitSha: sha2 })).then((lease) => (events.push(`checked out ${head(lease.dir) === sha2}`), lease));
    await vi.waitFor(() => expect(logs.text()).toContain('waiting for leases at another commit'));
    await a.release();
    events.push('released a');
    expect(head(a.dir)).toBe(sha1); // b still holds sha1: untouched
    await b.release();
    events.push('released b');
    const c = await waiting;
    expect(events).toEqual(['released a', 'released b', 'checked out true']);
    await c.release();
  });

  it('stops waiting when the checkout is aborted, and the copy stays usable', async () => {
    const { bare, copies, req, logs } = await setup();
    const sha1 = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const sha2 = await bare.commitFiles({ 'main.tf': 'v2' }, 'second');
    const held = await copies.checkout(req({ commitSha: sha1 }));
    const ac = new AbortController();
    const waiting = copies.checkout(req({ commitSha: sha2 }), ac.signal);
    await vi.waitFor(() => expect(logs.text()).toContain('waiting for leases at another commit'));
    ac.abort(new Error('run canceled'));
    await expect(waiting).rejects.toThrow('run canceled');
    const shared = await copies.checkout(req({ commitSha: sha1 }));
    expect(shared.dir).toBe(held.dir);
    await Promise.all([held.release(), shared.release()]);
    const next = await copies.checkout(req({ commitSha: sha2 }));
    expect(head(next.dir)).toBe(sha2);
    await next.release();
  });

  it('remove() deletes every workspace of a key, after their leases are released', async () => {
    const { bare, root, copies, req } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const a = await copies.checkout(req({ key: 'pr-3', workspace: 'default', commitSha: sha }));
    const b = await copies.checkout(req({ key: 'pr-3', workspace: 'staging', commitSha: sha }));
    const other = await copies.checkout(req({ key: 'pr-4', commitSha: sha }));
    await a.release();
    const events: string[] = [];
    const removing = copies.remove('t1', 'acme/infra', 'pr-3').then(() => events.push('removed'));
    await vi.waitFor(() => expect(existsSync(a.dir)).toBe(false));
    expect(existsSync(b.dir)).toBe(true); // still leased
    events.push('released b');
    await b.release();
    await removing;
    expect(events).toEqual(['released b', 'removed']);
    expect(existsSync(path.join(root, 't1', 'acme', 'infra', 'pr-3'))).toBe(false);
    expect(existsSync(other.dir)).toBe(true);
    await other.release();
  });

  it('never writes credentials into the copy, a URL, an argv item, a log line or an error', async () => {
    const { bare, root, copies, req, logs } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const lease = await copies.checkout(req({ commitSha: sha, credentials: CREDS }));
    await lease.release();
    const err = await copies.checkout(req({ ref: 'no-such-branch', credentials: CREDS })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe('cannot check out acme/infra at no-such-branch: ref no-such-branch was not found in the repository');
    expect(await grepTree(root, [TOKEN, BASIC])).toEqual([]);
    expect(logs.text()).toContain('"args":["fetch"'); // every git argv is logged at debug level...
    expect(logs.text()).not.toContain(TOKEN); // ...and none carries the token
    expect(logs.text()).not.toContain(BASIC);
  });

  it('sends credentials as an Authorization header to the clone host only, and redacts failures', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((r, res) => {
      seen.push(r.headers.authorization);
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`denied for ${TOKEN}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { copies, req, root } = await setup(() => ({ ...process.env }));
    const cloneUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/infra.git`;
    const err = await copies.checkout(req({ cloneUrl, ref: 'main', credentials: CREDS })).catch((e: Error) => e);
    expect(seen).toContain(`Basic ${BASIC}`);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/^cannot check out acme\/infra at main: git fetch exited with 128/);
    expect((err as Error).message).not.toContain(TOKEN);
    expect(await readdir(path.join(root, 't1', 'acme', 'infra', 'ref-main'))).toEqual([]); // no half-made copy
  });

  it('refuses path traversal and clone URLs with credentials before touching the disk', async () => {
    const { copies, req, root } = await setup();
    const sha = 'a'.repeat(40);
    for (const bad of [{ repoFullName: '../../etc' }, { repoFullName: 'acme/../x' }, { key: '../../x' }, { key: '..' }, { workspace: 'a/../../b' }]) {
      await expect(copies.checkout(req({ commitSha: sha, ...bad })), JSON.stringify(bad)).rejects.toThrow(InputError);
    }
    await expect(copies.checkout(req({ commitSha: sha, cloneUrl: `https://x:${TOKEN}@github.com/acme/infra.git` }))).rejects.toThrow(
      /must not carry credentials/,
    );
    await expect(copies.checkout(req({ commitSha: sha, cloneUrl: 'ext::sh -c touch% /tmp/pwned' }))).rejects.toThrow(InputError);
    await expect(copies.checkout(req({ commitSha: 'abc' }))).rejects.toThrow(/expected a full 40-character sha/);
    await expect(copies.checkout(req({ ref: '-upload-pack=touch' }))).rejects.toThrow(/ref .* is invalid/);
    await expect(copies.checkout(req())).rejects.toThrow(/commitSha or ref/);
    await expect(copies.remove('t1', '../x', 'k')).rejects.toThrow(InputError);
    expect(await readdir(root)).toEqual([]);
  });

  it('reports an unknown sha clearly and leaves no half-made clone', async () => {
    const { bare, root, copies, req } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const unknown = '0123456789abcdef0123456789abcdef01234567';
    const err = await copies.checkout(req({ commitSha: unknown })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(`cannot check out acme/infra at ${unknown}: commit ${unknown} was not found in the repository`);
    const keyDir = path.join(root, 't1', 'acme', 'infra', 'ref-main');
    expect(await readdir(keyDir)).toEqual([]);
    const lease = await copies.checkout(req({ commitSha: sha }));
    expect(head(lease.dir)).toBe(sha);
    await lease.release();
  });

  it('replaces a broken copy instead of trusting it', async () => {
    const { bare, root, copies, req } = await setup();
    const sha = await bare.commitFiles({ 'main.tf': 'v1' }, 'first');
    const dir = path.join(root, 't1', 'acme', 'infra', 'ref-main', 'default');
    await mkdir(path.join(dir, '.git'), { recursive: true });
    await writeFile(path.join(dir, 'junk.tf'), 'not from the repo');
    const lease = await copies.checkout(req({ commitSha: sha }));
    expect(head(lease.dir)).toBe(sha);
    expect(existsSync(path.join(dir, 'junk.tf'))).toBe(false);
    await lease.release();
  });
});
