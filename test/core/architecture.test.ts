/**
 * Services keep the rules, repositories the queries (STYLE.md 3.1). Every file of src/core that is
 * not a repository, a model, the db layer or the composition root must reach the database only
 * through a repository: no Sequelize model, no `sequelize.query`, no query operators. A service
 * may still hold `sequelize` to open a transaction (type-only `Sequelize`/`Transaction` imports).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CORE = path.join(ROOT, 'src/core');

/** Files whose job is data access. */
const DATA_ACCESS = [/\.repository\.ts$/, /\.model\.ts$/, /^src\/core\/db\//, /^src\/core\/index\.ts$/];

/**
 * Files that still query models directly, each with the reason. An entry that no longer matches
 * a violating file fails the test below: delete it then.
 */
const EXCEPTIONS: { pattern: RegExp; reason: string }[] = [];

/** From 'sequelize', only what opening a transaction needs, and only as types. */
const ALLOWED_SEQUELIZE_TYPES = new Set(['Sequelize', 'Transaction']);

/** Source text only a model (or its instance) or a raw query answers to. */
const FORBIDDEN_TEXT: { re: RegExp; what: string }[] = [
  { re: /\bsequelize\??\.(query|models|model|define|getQueryInterface)\b/, what: 'queries sequelize directly' },
  { re: /\.getDataValue\(/, what: 'reads a model instance (getDataValue)' },
  { re: /\.get\(\s*\{\s*plain:\s*true\s*\}\s*\)/, what: 'reads a model instance (get({ plain: true }))' },
];

/** What in `source` (the text of `file`, relative to the repo root) reaches the database directly. */
export function violations(file: string, source: string): string[] {
  const found: string[] = [];
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const stmt of sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const from = stmt.moduleSpecifier.text;
    const clause = stmt.importClause;
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
    const names = named.map((e) => ({ name: (e.propertyName ?? e.name).text, typeOnly: Boolean(clause?.isTypeOnly || e.isTypeOnly) }));
    if (from === 'sequelize') {
      if (clause?.name || (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings))) found.push(`imports sequelize wholesale`);
      for (const n of names) {
        if (!n.typeOnly || !ALLOWED_SEQUELIZE_TYPES.has(n.name)) found.push(`imports ${n.name} from sequelize`);
      }
    } else if (/(^|\/)db\/models\.js$/.test(from)) {
      found.push(`imports ${names.map((n) => n.name).join(', ') || 'the models'} from ${from}`);
    } else if (/\.model\.js$/.test(from)) {
      for (const n of names) if (/Model$/.test(n.name) || /^define\w*Model$/.test(n.name)) found.push(`imports the model ${n.name} from ${from}`);
    }
  }
  for (const { re, what } of FORBIDDEN_TEXT) if (re.test(source)) found.push(what);
  return found;
}

function coreFiles(dir = CORE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return coreFiles(full);
    return e.name.endsWith('.ts') ? [path.relative(ROOT, full).split(path.sep).join('/')] : [];
  });
}

describe('core architecture', () => {
  const files = coreFiles();
  const checked = files.filter((f) => !DATA_ACCESS.some((re) => re.test(f)));
  const offenders = new Map(checked.map((f) => [f, violations(f, readFileSync(path.join(ROOT, f), 'utf8'))] as const).filter(([, v]) => v.length));

  it('services and the run engine reach the database only through repositories', () => {
    const unexcused = [...offenders].filter(([f]) => !EXCEPTIONS.some((e) => e.pattern.test(f)));
    expect(Object.fromEntries(unexcused), 'move these queries into a *.repository.ts next to the service').toEqual({});
  });

  it('lists no exception that is no longer needed', () => {
    const stale = EXCEPTIONS.filter((e) => ![...offenders.keys()].some((f) => e.pattern.test(f))).map((e) => `${e.pattern} (${e.reason})`);
    expect(stale, 'nothing under these patterns queries models any more: delete the exception').toEqual([]);
  });

  it('checks every service and run engine file', () => {
    for (const f of ['src/core/runs/runs.service.ts', 'src/core/runs/run-engine.ts', 'src/core/runs/run-executor.ts', 'src/core/locks/locks.service.ts']) {
      expect(checked).toContain(f);
    }
    expect(checked.filter((f) => f.endsWith('.service.ts')).length).toBeGreaterThanOrEqual(10);
  });

  it('recognises each way a service could reach the database directly', () => {
    const file = 'src/core/x/x.service.ts';
    expect(violations(file, "import type { Sequelize, Transaction } from 'sequelize';\nimport type { X } from './x.model.js';")).toEqual([]);
    expect(violations(file, "import { Op, type Transaction } from 'sequelize';")).toEqual(['imports Op from sequelize']);
    expect(violations(file, "import { Sequelize } from 'sequelize';")).toEqual(['imports Sequelize from sequelize']);
    expect(violations(file, "import type { X, XModel } from './x.model.js';")).toEqual(['imports the model XModel from ./x.model.js']);
    expect(violations(file, "import type { Models } from '../db/models.js';")).toEqual(['imports Models from ../db/models.js']);
    expect(violations(file, 'await this.deps.sequelize.query("UPDATE runs SET status = 1");')).toEqual(['queries sequelize directly']);
    expect(violations(file, 'return row.get({ plain: true });')).toEqual(['reads a model instance (get({ plain: true }))']);
  });
});
