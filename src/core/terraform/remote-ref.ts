import os from 'node:os';
import { NotFoundError } from '../errors.js';
import { checkCloneUrl, credentialConfig } from './checkout-request.js';
import { gitEnv } from './child-env.js';
import { runGit } from './git-command.js';

/**
 * The commit a ref points at on the remote right now (`git ls-remote`), without a working copy:
 * a branch or tag name, or a full ref such as `refs/pull/12/head`. A full sha is its own answer.
 */
export async function resolveRemoteRef(
  cloneUrl: string,
  ref: string,
  credentials: { username: string; password: string } | undefined,
  opts: { baseEnv: NodeJS.ProcessEnv; gitBinary?: string; timeoutMs?: number },
): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  const url = checkCloneUrl(cloneUrl);
  if (ref.startsWith('-') || /\s|\0/.test(ref)) throw new NotFoundError(`ref "${ref}" is not a valid git ref`);
  const patterns = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`];
  const { config, secrets } = credentialConfig(url, credentials);
  const out = await runGit(['ls-remote', url, ...patterns], {
    binary: opts.gitBinary ?? 'git', cwd: os.tmpdir(), env: gitEnv(opts.baseEnv, config), timeoutMs: opts.timeoutMs ?? 60_000, secrets,
  });
  const refs = new Map(out.split('\n').filter(Boolean).map((line) => {
    const [sha, name] = line.split('\t');
    return [name, sha] as const;
  }));
  const sha = refs.get(patterns[0]) ?? refs.get(`refs/tags/${ref}^{}`) ?? refs.get(`refs/tags/${ref}`);
  if (!sha) throw new NotFoundError(`ref ${ref} does not exist in ${url}`);
  return sha;
}
