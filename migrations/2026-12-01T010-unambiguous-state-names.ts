import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { derivedStateName } from '../src/core/commands/derived-state-name.js';

/**
 * Renames states kept under the first derived name form (`<owner>.<repo>.<dir>[.<project>]`,
 * which was not injective) to the current form (src/core/commands/derived-state-name.ts), so a
 * project that was applied before the upgrade finds its state after it.
 *
 * Only a state that unambiguously belongs to one project is renamed: its name is not a
 * registered project's name (those names are chosen by people and stay), the runs that used it
 * (`runs.state_name`) all came from one exact (repository, dir, project name), and that triple's
 * first-form name is exactly this name. A state that two colliding projects shared, or that no
 * run used (written by hand through the backend), keeps its name: nothing can tell whose it is.
 * The runs are renamed with it, so a plan made before the upgrade applies against the same state.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.transaction((tx) => rename(db, tx, (triple) => [legacyDerivedStateName(...triple), derivedStateName(...triple)]));
}

export async function down(db: Sequelize): Promise<void> {
  await db.transaction((tx) => rename(db, tx, (triple) => [derivedStateName(...triple), legacyDerivedStateName(...triple)]));
}

type Triple = [repoFullName: string, dir: string, projectName: string];

/** The first derived form, frozen as it was: what existing rows are named after. */
export function legacyDerivedStateName(repoFullName: string, dir: string, projectName: string): string {
  const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const parts = [slug(repoFullName.replace('/', '.')), dir === '.' ? 'root' : slug(dir)];
  if (projectName) parts.push(slug(projectName));
  return parts.join('.').slice(0, 200);
}

async function rename(db: Sequelize, transaction: Transaction, names: (triple: Triple) => [from: string, to: string]): Promise<void> {
  const select = <T extends object>(sql: string, replacements: Record<string, unknown> = {}) =>
    db.query<T>(sql, { type: QueryTypes.SELECT, transaction, replacements });
  const candidates = await select<{ tenant_id: string; name: string }>(`
    SELECT DISTINCT s.tenant_id, s.name FROM states s
    WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.tenant_id = s.tenant_id AND p.name = s.name)`);
  for (const { tenant_id: tenantId, name } of candidates) {
    const triples = await select<{ repo_full_name: string; dir: string; project_name: string }>(
      'SELECT DISTINCT repo_full_name, dir, project_name FROM runs WHERE tenant_id = :tenantId AND state_name = :name',
      { tenantId, name },
    );
    if (triples.length !== 1) continue; // no run used it, or several projects did: whose it is cannot be told
    const [from, to] = names([triples[0].repo_full_name, triples[0].dir, triples[0].project_name]);
    if (from !== name || to === name) continue;
    const taken = await select('SELECT 1 FROM states WHERE tenant_id = :tenantId AND name = :to LIMIT 1', { tenantId, to });
    if (taken.length) continue; // never merge two states
    const replacements = { tenantId, name, to };
    await db.query('UPDATE states SET name = :to, updated_at = now() WHERE tenant_id = :tenantId AND name = :name', { transaction, replacements });
    await db.query('UPDATE runs SET state_name = :to WHERE tenant_id = :tenantId AND state_name = :name', { transaction, replacements });
  }
}
