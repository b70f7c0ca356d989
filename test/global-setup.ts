import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { DEFAULT_TEST_DATABASE_URL } from './harness/test-db.js';

/**
 * Runs once before the suite. The tests need a real PostgreSQL, the real terraform binary and
 * bubblewrap (the sandbox); when one is missing the whole run fails here, loudly, instead of skipping tests.
 */
export default async function setup(): Promise<void> {
  process.env.TEST_DATABASE_URL ||= DEFAULT_TEST_DATABASE_URL;
  const url = process.env.TEST_DATABASE_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `TEST_DATABASE_URL=${url} is not reachable (${(err as Error).message}). ` +
        'Start PostgreSQL (pg_lsclusters; pg_ctlcluster --skip-systemctl-redirect <version> main start) or point TEST_DATABASE_URL at one.',
    );
  } finally {
    await client.end().catch(() => {});
  }
  try {
    execFileSync('bwrap', ['--unshare-pid', '--die-with-parent', '--ro-bind', '/', '/', '--', 'true'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`bubblewrap (bwrap) is not runnable (${(err as Error).message}); the sandbox tests need it: apt-get install -y bubblewrap (.ci/run does this)`);
  }
  try {
    execFileSync(process.env.ATLANTAS_TF_BINARY || 'terraform', ['version'], { stdio: 'pipe', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  } catch (err) {
    throw new Error(`terraform is not runnable (${(err as Error).message}); install Terraform 1.11 on PATH or set ATLANTAS_TF_BINARY`);
  }
}
