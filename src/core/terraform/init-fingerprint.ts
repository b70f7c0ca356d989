import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { MAX_SOURCE_FILE_BYTES, readRepoFile } from './repo-file.js';

/**
 * What `terraform init` depends on in a project dir, as one hash: the root module's files (the
 * backend, provider and module blocks live in them; hashing whole files is coarser than the
 * blocks and never wrong), `.terraform.lock.hcl`, the files of local modules, the init argv,
 * the TF_* environment that changes how init runs, and what the last init left in `.terraform`
 * (the backend it recorded, the modules it installed, the provider links). Equal fingerprints
 * before and after an init mean init would do nothing: a reused working copy skips it.
 *
 * Null when it cannot tell (no `.terraform`, a file it may not read, a relocated data dir):
 * then init runs. Values are hashed in memory only and never stored or logged.
 */
export async function initFingerprint(projectDir: string, checkoutRoot: string, input: { args: string[]; env: Record<string, string> }): Promise<string | null> {
  if (input.env.TF_DATA_DIR !== undefined) return null;
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer) => hash.update(`${label}\0${value.length}\0`).update(value);
  try {
    add('argv', JSON.stringify(input.args));
    for (const [key, value] of Object.entries(input.env).filter(([k]) => affectsInit(k)).sort(([a], [b]) => a.localeCompare(b))) add(`env ${key}`, value);
    // Every read is started at once (it is on the path of every run); they are hashed in a fixed order.
    const dataDir = path.join(projectDir, '.terraform');
    const [root, backend, modules, providers] = await Promise.all([
      moduleFiles(projectDir, checkoutRoot),
      readFile(path.join(dataDir, 'terraform.tfstate')).catch(() => ''),
      readFile(path.join(dataDir, 'modules', 'modules.json'), 'utf8').catch(() => null),
      listTree(path.join(dataDir, 'providers')),
    ]);
    const locals = await Promise.all(localModuleDirs(modules, projectDir, checkoutRoot).map((dir) => moduleFiles(dir, checkoutRoot)));
    if (!root || locals.includes(null)) return null;
    for (const [rel, text] of root) add(`file ${rel}`, text);
    add('backend', backend);
    add('modules', modules ?? '');
    for (const files of locals) for (const [rel, text] of files!) add(`file ${rel}`, text);
    for (const link of providers) add('provider', link);
    return hash.digest('hex');
  } catch {
    return null;
  }
}

/** TF_* variables change how init runs; credentials, variables and Atlantas's run id do not. */
function affectsInit(key: string): boolean {
  return key.startsWith('TF_') && !key.startsWith('TF_VAR_') && key !== 'TF_HTTP_USERNAME' && key !== 'TF_HTTP_PASSWORD';
}

const MODULE_FILE = /(\.tf|\.tf\.json|\.tofu|\.tofu\.json)$/;

/** Every module file and the lock file of `dir` as [path, text], sorted, read like terraform would (links inside the checkout only); null when one is refused. */
async function moduleFiles(dir: string, checkoutRoot: string): Promise<[string, string][] | null> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && (MODULE_FILE.test(e.name) || e.name === '.terraform.lock.hcl'))
    .map((e) => e.name)
    .sort();
  const rels = names.map((name) => path.relative(checkoutRoot, path.join(dir, name)));
  const texts = await Promise.all(rels.map((rel) => readRepoFile(checkoutRoot, rel, { maxBytes: MAX_SOURCE_FILE_BYTES, allowLinkInside: true })));
  if (texts.includes(null)) return null;
  return rels.map((rel, i) => [rel, texts[i]!]);
}

/** Dirs of local modules (`source = "./…"`) that modules.json records, inside the checkout; installed copies are covered by modules.json. */
function localModuleDirs(modulesJson: string | null, projectDir: string, checkoutRoot: string): string[] {
  if (!modulesJson) return [];
  const parsed = JSON.parse(modulesJson) as { Modules?: { Key?: string; Dir?: string }[] };
  const dirs = new Set<string>();
  for (const m of parsed.Modules ?? []) {
    if (!m.Key || typeof m.Dir !== 'string') continue;
    const dir = path.resolve(projectDir, m.Dir);
    if (dir === projectDir || dir.startsWith(path.join(projectDir, '.terraform') + path.sep)) continue;
    if (!dir.startsWith(checkoutRoot + path.sep)) throw new Error('a module outside the checkout');
    dirs.add(dir);
  }
  return [...dirs].sort();
}

/** Every entry under `root` with its link target or size: what init installed. */
async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      const rel = path.relative(root, full);
      if (e.isSymbolicLink()) out.push(`${rel} -> ${await readlink(full)}`);
      else if (e.isDirectory()) await walk(full);
      else out.push(`${rel} ${(await lstat(full)).size}`);
    }
  };
  await walk(root);
  return out;
}
