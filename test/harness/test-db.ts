import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The real PostgreSQL tests run against (TEST_DATABASE_URL; see test/global-setup.ts). */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}

/** A fresh schema per test app or file, dropped afterwards: files run in parallel without sharing rows. */
export async function createTestSchema(prefix = 't'): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withClient((c) => c.query(`CREATE SCHEMA "${schema}"`));
  return {
    schema,
    drop: () => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined),
  };
}

export async function withClient<T>(fn: (client: pg.Client) => Promise<T>, options: { schema?: string } = {}): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl(), options: options.schema ? `-c search_path=${options.schema}` : undefined });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
