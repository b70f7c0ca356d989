import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import { connectDb, type Database } from '../../src/core/db/connection.js';
import { redactSql } from '../../src/core/db/sql-redaction.js';
import { captureLogs, type CapturedLogs } from '../harness/capture-logs.js';
import { createTestSchema, testDatabaseUrl } from '../harness/test-db.js';
import { startTestApp } from '../harness/start-app.js';

describe('SQL at trace level', () => {
  let logs: CapturedLogs;
  let db: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const schema = await createTestSchema('sqllog');
    drop = schema.drop;
    logs = captureLogs('trace');
    db = await connectDb({ url: testDatabaseUrl(), schema: schema.schema, poolMax: 1, dataDir: '/nonexistent', log: logs.log });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('logs the statement with every bound value redacted', async () => {
    await db.sequelize.query('CREATE TABLE secrets (id serial PRIMARY KEY, name text, pin integer, ratio numeric)');
    await db.sequelize.query('INSERT INTO secrets (name, pin, ratio) VALUES (:name, :pin, :ratio)', {
      replacements: { name: "hunter2-it's-a-secret", pin: 738291, ratio: 0.3141 },
    });
    const rows = await db.sequelize.query('SELECT name FROM secrets WHERE pin = :pin AND name LIKE :like', {
      replacements: { pin: 738291, like: 'hunter2%' }, type: QueryTypes.SELECT,
    });
    expect(rows).toHaveLength(1); // the values did reach the database
    const sql = logs.lines.filter((l) => l.msg === 'sql').map((l) => String(l.sql));
    expect(sql.some((s) => s.includes('INSERT INTO secrets (name, pin, ratio) VALUES (?, ?, ?)'))).toBe(true);
    expect(sql.some((s) => s.includes('WHERE pin = ? AND name LIKE ?'))).toBe(true);
    for (const secret of ['hunter2', '738291', '3141', 's-a-secret']) expect(logs.text()).not.toContain(secret);
  });

  it('keeps a real server\'s trace log free of password and token hashes', async () => {
    const app = await startTestApp({ env: { LOG_LEVEL: 'trace' } });
    try {
      const token = (await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'logged' } })).body.raw_token as string;
      expect((await app.req('GET', '/api/v1/auth/me', { token })).status).toBe(200);
      const [row] = await app.sql<{ token_hash: string }>("SELECT token_hash FROM api_tokens WHERE name = 'logged'");
      const [admin] = await app.sql<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = :e', { e: app.admin.email });
      const sql = app.logs.lines.filter((l) => l.msg === 'sql').map((l) => String(l.sql));
      expect(sql.some((s) => s.includes('FROM "api_tokens" AS "ApiToken" WHERE "ApiToken"."token_hash" = ?'))).toBe(true);
      const text = sql.join('\n');
      expect(text).not.toContain(row.token_hash);
      expect(text).not.toContain(admin.password_hash.split('$')[5]);
      expect(text).not.toContain(app.admin.email); // the login's WHERE lower(email) = …
    } finally {
      await app.close();
    }
  });
});

describe('redactSql', () => {
  it('replaces literals and keeps identifiers, keywords and bind markers', () => {
    expect(redactSql(`SELECT "t_1a"."id", col2 FROM t_9f WHERE a = 'x''y' AND b = 42 AND c = -1.5e3 AND d = $1 LIMIT 10`)).toBe(
      `SELECT "t_1a"."id", col2 FROM t_9f WHERE a = ? AND b = ? AND c = -? AND d = $1 LIMIT ?`,
    );
    expect(redactSql(`INSERT INTO x VALUES (E'a\\'b', E'\\\\x00ff', X'1F', U&'d\\0061t', $tag$secret$tag$, 'C:\\')`)).toBe('INSERT INTO x VALUES (?, ?, ?, ?, ?, ?)');
    expect(redactSql(`SELECT 'unterminated secret`)).toBe('SELECT ?');
  });
});
