import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import { DomainError, NotFoundError, UnavailableError } from '../errors.js';
import { credentialConfig, fetchPlan, type CheckoutRequest, type FetchPlan } from './checkout-request.js';
import { gitEnv } from './child-env.js';
import { copyDir } from './copy-path.js';
import { GitCommandError, redact, runGit } from './git-command.js';
import { LeaseLock } from './lease-lock.js';

export type { CheckoutRequest } from './checkout-request.js';

/** A working copy held at one commit until released. */
export interface Lease {
  dir: string;
  commitSha: string;
  /** idempotent */
  release(): Promise<void>;
}

export interface WorkingCopiesOptions {
  /** `<dataDir>/repos`; this process must be its only user (the data dir lock ensures it) */
  root: string;
  log: Logger;
  gitBinary?: string;
  /** allowlisted into git's env; its GIT_CONFIG_COUNT entries (e.g. insteadOf) are kept; default process.env */
  baseEnv?: NodeJS.ProcessEnv;
  gitTimeoutMs?: number;
}

type Git = (args: string[], cwd: string) => Promise<string>;

const NO_BACKGROUND_GC: [string, string][] = [
  ['gc.autoDetach', 'false'],
  ['maintenance.autoDetach', 'false'],
];

/** Files kept across checkouts for speed; everything else untracked is removed. */
const KEEP_ON_CLEAN = ['-e', '.terraform', '-e', '*.tfplan'];

/**
 * Git working copies at `<root>/<tenantId>/<owner>/<repo>/<key>/<workspace>`, one per
 * (repository, PR or ref, workspace), reused and fetched. Leases at the same commit share a
 * copy; a checkout at another commit waits until they are released; git operations on one copy
 * are serialised. Credentials travel as git config in the environment: never in a URL, an argv
 * item, `.git/config`, a log line or an error message.
 */
export class WorkingCopies {
  readonly #opts: WorkingCopiesOptions;
  readonly #log: Logger;
  readonly #locks = new Map<string, LeaseLock>();
  /**
   * What this process knows of each copy it already checked (we are the data dir's only user):
   * its origin, the commit its files were last reset to, and whether they are untouched since
   * (only read-only leases held it). Lets a checkout skip git commands; any failure forgets it.
   */
  readonly #known = new Map<string, { origin: string; commit: string | null; pristine: boolean }>();

  constructor(opts: WorkingCopiesOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'working-copies' });
  }

  /** Clones or reuses and fetches, then detaches at the exact commit (`ref` resolved when no sha). */
  async checkout(req: CheckoutRequest, signal?: AbortSignal): Promise<Lease> {
    const dir = copyDir(this.#opts.root, req);
    const plan = fetchPlan(req);
    const lock = this.#lockFor(dir);
    const unlock = await lock.acquire(signal);
    try {
      const git = this.#git(plan, req, signal);
      const seed = req.seedKey ? copyDir(this.#opts.root, { ...req, key: req.seedKey, workspace: 'default' }) : undefined;
      const sha = await this.#fetchInto(dir, plan, git, seed);
      if (lock.commit !== sha) {
        if (lock.leases > 0) {
          this.#log.debug({ dir, leases: lock.leases, commit: sha }, 'waiting for leases at another commit to be released');
          await lock.drained(signal);
        }
        const known = this.#known.get(dir);
        if (!known || known.commit !== sha || !known.pristine) {
          // From a pristine copy (reset, and untouched since) the checkout alone leaves nothing
          // untracked to clean: a new commit costs one git process on the run's path.
          const clean = !(known?.pristine && known.commit !== null);
          if (known) known.commit = null; // half reset until the commands succeed
          await git(['checkout', '--quiet', '--force', '--detach', sha], dir);
          if (clean) await git(['clean', '-ffdxq', ...KEEP_ON_CLEAN], dir);
          if (known) Object.assign(known, { commit: sha, pristine: true });
          this.#log.info({ repo: req.repoFullName, key: req.key, workspace: req.workspace, commit: sha }, 'working copy checked out');
        }
      }
      // A lease that may write (terraform runs in the copy) spoils it for the next lease's skip.
      const known = this.#known.get(dir);
      if (known && !req.readOnly) known.pristine = false;
      const releaseLease = lock.lease(sha);
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        releaseLease();
        if (!req.readOnly) await this.#resetAfterWrite(dir, sha, lock, this.#git(plan, req));
        this.#forget(dir, lock);
      };
      return { dir, commitSha: sha, release };
    } catch (err) {
      this.#known.delete(dir);
      if (signal?.aborted) throw signal.reason;
      throw describe(err, req, plan);
    } finally {
      unlock();
      this.#forget(dir, lock);
    }
  }

  /**
   * Once the last lease of a copy a run may have written into is released, resets it to its
   * commit, so that the next run at that commit (a re-plan) starts without a git process: the
   * reset is paid after the run's answer, not before the next one's. Skipped while another
   * lease holds the copy or a git operation is under way on it (a checkout waiting for this
   * release resets the copy itself: it is not pristine). A failure forgets what we knew of the
   * copy, so the next checkout resets it itself.
   */
  async #resetAfterWrite(dir: string, sha: string, lock: LeaseLock, git: Git): Promise<void> {
    if (lock.leases > 0) return;
    const unlock = lock.tryAcquire();
    if (!unlock) return;
    try {
      const known = this.#known.get(dir);
      if (lock.leases > 0 || !known || known.commit !== sha || known.pristine) return;
      known.commit = null; // half reset until both commands succeed
      await git(['checkout', '--quiet', '--force', '--detach', sha], dir);
      await git(['clean', '-ffdxq', ...KEEP_ON_CLEAN], dir);
      Object.assign(known, { commit: sha, pristine: true });
      this.#log.debug({ dir, commit: sha }, 'working copy reset after a run');
    } catch (err) {
      this.#known.delete(dir);
      this.#log.debug({ dir, err: String(err) }, 'could not reset the working copy after a run; the next checkout will');
    } finally {
      unlock();
    }
  }

  /** Removes every workspace copy of (repo, key), e.g. when the PR closes; waits for their leases. */
  async remove(tenantId: string, repoFullName: string, key: string, signal?: AbortSignal): Promise<void> {
    const keyDir = copyDir(this.#opts.root, { tenantId, repoFullName, key });
    const segments = new Set<string>();
    for (const name of await readdir(keyDir).catch(() => [] as string[])) segments.add(/^\.(.+)\.cloning-[0-9a-f]+$/.exec(name)?.[1] ?? name);
    for (const dir of this.#locks.keys()) if (path.dirname(dir) === keyDir) segments.add(path.basename(dir));
    for (const segment of segments) {
      const dir = path.join(keyDir, segment);
      const lock = this.#lockFor(dir);
      const unlock = await lock.acquire(signal);
      try {
        await lock.drained(signal);
        this.#known.delete(dir);
        await rm(dir, { recursive: true, force: true });
        await removeTemps(dir);
      } finally {
        unlock();
        this.#forget(dir, lock);
      }
    }
    await rmdir(keyDir).catch(() => {}); // gone, or a checkout started meanwhile: leave it
    this.#log.info({ repo: repoFullName, key }, 'working copies removed');
  }

  /** Fetches into the existing copy, or into a fresh clone made aside and renamed into place only when complete. */
  async #fetchInto(dir: string, plan: FetchPlan, git: Git, seed?: string): Promise<string> {
    if (await this.#usable(dir, plan.cloneUrl, git)) {
      // The commit this copy was last checked out at is in it: no git process to ask (a re-plan of the same commit).
      if (plan.sha && this.#known.get(dir)?.commit === plan.sha) return plan.sha;
      return fetchCommit(dir, plan, git, seed);
    }
    await mkdir(path.dirname(dir), { recursive: true });
    await removeTemps(dir);
    const temp = `${path.join(path.dirname(dir), `.${path.basename(dir)}`)}.cloning-${randomBytes(4).toString('hex')}`;
    try {
      await git(['init', '--quiet', temp], path.dirname(dir));
      await git(['remote', 'add', 'origin', plan.cloneUrl], temp);
      const sha = await fetchCommit(temp, plan, git, seed);
      this.#known.delete(dir);
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
      this.#known.set(dir, { origin: plan.cloneUrl, commit: null, pristine: false });
      this.#log.info({ dir }, 'working copy cloned');
      return sha;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw err;
    }
  }

  /** An existing, healthy clone (a broken one is deleted); its origin follows the clone URL. */
  async #usable(dir: string, cloneUrl: string, git: Git): Promise<boolean> {
    if (!(await exists(path.join(dir, '.git')))) return false;
    if (this.#known.get(dir)?.origin === cloneUrl) return true;
    this.#known.delete(dir);
    try {
      await git(['rev-parse', '--git-dir'], dir);
      // We hold this copy's lock and are the data dir's only process: an index.lock is a crash leftover.
      await rm(path.join(dir, '.git', 'index.lock'), { force: true });
      const origin = (await git(['config', '--get', 'remote.origin.url'], dir).catch(() => '')).trim();
      if (origin !== cloneUrl) await git(['remote', origin ? 'set-url' : 'add', 'origin', cloneUrl], dir);
      this.#known.set(dir, { origin: cloneUrl, commit: null, pristine: false });
      return true;
    } catch (err) {
      this.#log.warn({ dir, err: String(err) }, 'working copy is broken; cloning again');
      await rm(dir, { recursive: true, force: true });
      return false;
    }
  }

  #git(plan: FetchPlan, req: CheckoutRequest, signal?: AbortSignal): Git {
    const { config, secrets } = credentialConfig(plan.cloneUrl, req.credentials);
    // No `gc --auto` left running in the background after a command returns: nothing outlives an operation.
    const env = gitEnv(this.#opts.baseEnv ?? process.env, [...NO_BACKGROUND_GC, ...config]);
    const base = { binary: this.#opts.gitBinary ?? 'git', env, signal, secrets, timeoutMs: this.#opts.gitTimeoutMs ?? 600_000 };
    return (args, cwd) => {
      this.#log.debug({ args, cwd }, 'git');
      // Never discover a repository above the copy (the data dir may sit inside another checkout).
      const ceiling = path.dirname(path.resolve(cwd));
      return runGit(args, { ...base, cwd, env: { ...env, GIT_CEILING_DIRECTORIES: ceiling } });
    };
  }

  #lockFor(dir: string): LeaseLock {
    let lock = this.#locks.get(dir);
    if (!lock) this.#locks.set(dir, (lock = new LeaseLock()));
    return lock;
  }

  #forget(dir: string, lock: LeaseLock): void {
    if (lock.idle && this.#locks.get(dir) === lock) this.#locks.delete(dir);
  }
}

/**
 * Fetches branches (and the requested ref), then returns the commit to check out; an exact commit
 * already here needs no fetch, and one the seed copy holds (the command that queued this run just
 * fetched it there) is fetched from that copy on this disk instead of the remote: one network
 * fetch per plan, not two.
 */
async function fetchCommit(cwd: string, plan: FetchPlan, git: Git, seed?: string): Promise<string> {
  if (plan.sha && (await hasCommit(cwd, plan.sha, git))) return plan.sha;
  if (plan.sha && seed && (await exists(path.join(seed, '.git')))) {
    // Any failure (no such commit there, the seed being replaced or removed) falls back to the remote.
    if (await gitFetch(git, cwd, ['--no-tags', '--no-write-fetch-head', seed, plan.sha]).then(() => true, () => false)) return plan.sha;
  }
  await gitFetch(git, cwd, ['--prune', '--no-tags', 'origin', ...plan.refspecs]);
  if (plan.sha) {
    if (await hasCommit(cwd, plan.sha, git)) return plan.sha;
    // Not on a branch or the ref: ask for it by id (GitHub and protocol v2 servers allow it).
    await gitFetch(git, cwd, ['--no-tags', 'origin', plan.sha]).catch(() => {});
    if (await hasCommit(cwd, plan.sha, git)) return plan.sha;
    throw new NotFoundError(`commit ${plan.sha} was not found in the repository`, { code: 'git.commit_not_found' });
  }
  const sha = (await fetchedBranchTip(cwd, plan.localRef)) ?? (await git(['rev-parse', '--verify', '--quiet', `${plan.localRef}^{commit}`], cwd).catch(() => ''));
  if (!sha.trim()) throw new NotFoundError(`ref ${plan.label} was not found in the repository`, { code: 'git.ref_not_found' });
  return sha.trim();
}

/**
 * `git fetch` without the automatic maintenance git runs after every fetch (a `git maintenance
 * run --auto` process, on the request's path even when the fetch brought nothing): the copy's
 * maintenance runs here instead, and only after a fetch that changed what the copy holds. A
 * fetch that wrote refs (branches, the requested ref) changed it when its refs differ; a fetch
 * by commit id writes none and counts as a change. A failing maintenance is no failed fetch.
 */
async function gitFetch(git: Git, cwd: string, args: string[]): Promise<void> {
  const writesRefs = !args.includes('--no-write-fetch-head') && args.some((a) => a.includes(':'));
  const before = writesRefs ? await refsSnapshot(cwd) : null;
  await git(['fetch', '--quiet', '--no-auto-maintenance', ...args], cwd);
  if (before !== null && (await refsSnapshot(cwd)) === before) return;
  await git(['maintenance', 'run', '--auto', '--quiet'], cwd).catch(() => undefined);
}

/**
 * The refs a fetch writes (remote branches, refs/atlantas/*, packed or loose) as one string, read
 * from the files git keeps them in; null when they cannot be read (then every fetch is a change).
 */
async function refsSnapshot(cwd: string): Promise<string | null> {
  const gitDir = path.join(cwd, '.git');
  try {
    const loose: string[] = [];
    for (const top of ['refs/remotes', 'refs/atlantas']) {
      const entries = await readdir(path.join(gitDir, top), { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const e of entries) {
        if (!e.isFile()) continue;
        const file = path.join(e.parentPath ?? e.path, e.name);
        loose.push(`${path.relative(gitDir, file)} ${await readFile(file, 'utf8')}`);
      }
    }
    const packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
    return `${loose.sort().join('\n')}\n--\n${packed}`;
  } catch {
    return null;
  }
}

/**
 * The commit a branch fetch just wrote to `refs/remotes/origin/<branch>`, read from the ref file
 * git writes (a loose ref, else packed-refs) instead of asking a `git rev-parse` process. Only
 * for branches, which point at commits; anything else (tags, pull request refs, a ref this
 * cannot read) is undefined and left to rev-parse, which peels.
 */
async function fetchedBranchTip(cwd: string, localRef: string | undefined): Promise<string | undefined> {
  if (!localRef?.startsWith('refs/remotes/origin/')) return undefined;
  const gitDir = path.join(cwd, '.git');
  const loose = await readFile(path.join(gitDir, ...localRef.split('/')), 'utf8').catch(() => null);
  if (loose !== null) return SHA_LINE.test(loose) ? loose.trim() : undefined;
  const packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  const line = packed.split('\n').find((l) => l.endsWith(` ${localRef}`));
  const sha = line?.slice(0, line.indexOf(' '));
  return sha && SHA_LINE.test(sha) ? sha : undefined;
}

const SHA_LINE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})\s*$/;

async function hasCommit(cwd: string, sha: string, git: Git): Promise<boolean> {
  return git(['cat-file', '-e', `${sha}^{commit}`], cwd).then(
    () => true,
    () => false,
  );
}

/** Leftovers of an interrupted clone of `dir`. */
async function removeTemps(dir: string): Promise<void> {
  const prefix = `.${path.basename(dir)}.cloning-`;
  for (const name of await readdir(path.dirname(dir)).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await rm(path.join(path.dirname(dir), name), { recursive: true, force: true });
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Every failure names the repository and ref; git's own text is already redacted. */
function describe(err: unknown, req: CheckoutRequest, plan: FetchPlan): unknown {
  const where = `${req.repoFullName} at ${plan.label}`;
  if (err instanceof GitCommandError) {
    return new UnavailableError(`cannot check out ${where}: ${err.message}`, { code: 'git.failed' });
  }
  if (err instanceof NotFoundError) return new NotFoundError(`cannot check out ${where}: ${err.message}`, { code: err.code });
  if (err instanceof DomainError) return err;
  if (err instanceof Error) {
    const secrets = credentialConfig(plan.cloneUrl, req.credentials).secrets;
    return new UnavailableError(`cannot check out ${where}: ${redact(err.message, secrets)}`, { code: 'git.failed' });
  }
  return err;
}
