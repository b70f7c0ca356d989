import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { systemActors } from './core/auth/system-actors.js';
import { ConfigError, DomainError } from './core/errors.js';
import { CreateTenantInput } from './core/auth/auth.schemas.js';
import { createLogger } from './logger.js';
import { openCore, startServer } from './main.js';
import { rotateAll } from './core/secrets/rotation.js';
import { secretFromFile, secretFromStdin } from './read-secret.js';
import { VERSION } from './version.js';
import { RemoteRunner } from './runner/remote-runner.js';
import { probeSandbox } from './core/terraform/sandbox-probe.js';
import { runStdioProxy } from './mcp/stdio.js';

const HELP = `atlantas ${VERSION} — Terraform control plane for chat-ops and AI agents

Usage:
  atlantas server                     run the server (REST, state backend, GitHub webhooks, run workers)
  atlantas migrate                    apply database migrations and exit
  atlantas runner [--parallelism <n>] [--name <name>]
                                      a remote runner: claims runs of its pool from ATLANTAS_URL with
                                      ATLANTAS_RUNNER_TOKEN (no database, no key); ATLANTAS_PARALLELISM jobs at once
  atlantas mcp                        the MCP server over stdio for a desktop assistant: forwards to
                                      ATLANTAS_URL/mcp with ATLANTAS_TOKEN (an mcp:read or mcp:write token)
  atlantas tenant create <slug> --admin-email <email> [--admin-password-file <file>] [--name <name>]
                                      create a tenant with its first admin; the password is read from
                                      the file, else from stdin (never from the command line)
  atlantas rotate-key [--batch-size <n>]
                                      re-encrypt stored state (and other secrets) under ATLANTAS_ENCRYPTION_KEY;
                                      the old key must be set as ATLANTAS_ENCRYPTION_KEY_PREVIOUS
  atlantas --help | --version

Configuration comes from environment variables; see README.md.
`;

/** Runs one CLI command; returns the process exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`atlantas: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    throw err;
  }
  try {
    switch (command) {
      case 'server':
        return await serve(config);
      case 'migrate':
        return await migrateOnly(config);
      case 'runner':
        return await runnerCommand(config, rest);
      case 'tenant':
        return await tenantCommand(config, rest);
      case 'mcp':
        return await mcpCommand(config);
      case 'rotate-key':
        return await rotateKeyCommand(config, rest);
      default:
        process.stderr.write(`atlantas: unknown command "${command}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) { // a setting only checked at start (ATLANTAS_REPO_CONFIG's file)
      process.stderr.write(`atlantas: ${err.message}\n`);
      return 78;
    }
    const message = err instanceof DomainError ? err.message : (err as Error).message;
    process.stderr.write(`atlantas ${command}: ${message}\n`);
    return 1;
  }
}

async function serve(config: Config): Promise<number> {
  const running = await startServer(config);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      running.log.info({ signal }, 'signal received');
      running.close().then(
        () => resolve(0),
        (err) => {
          running.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

async function runnerCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { parallelism: { type: 'string' }, name: { type: 'string' } } });
  const parallelism = values.parallelism === undefined ? config.terraform.parallelism : Number(values.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 256) {
    process.stderr.write('atlantas runner: --parallelism must be an integer from 1 to 256\n');
    return 2;
  }
  if (!config.publicUrl || !config.terraform.runnerToken) {
    process.stderr.write('atlantas runner: set ATLANTAS_URL (the server) and ATLANTAS_RUNNER_TOKEN (POST /api/v1/runner-pools/{id}/tokens)\n');
    return 78;
  }
  const log = createLogger({ level: config.logLevel });
  const sandbox = await probeSandbox(config.terraform.sandbox, process.env, log);
  const runner = new RemoteRunner({
    serverUrl: config.publicUrl, token: config.terraform.runnerToken, name: values.name, version: VERSION, parallelism,
    dataDir: config.dataDir, terraformBinary: config.terraform.binary, cancelGraceMs: config.terraform.cancelGraceMs, log, childEnv: process.env, sandbox: sandbox.profile,
  });
  process.once('SIGTERM', () => runner.stop());
  process.once('SIGINT', () => runner.stop());
  await runner.run();
  return 0;
}

/** stdio belongs to the protocol: everything else goes to stderr. */
async function mcpCommand(config: Config): Promise<number> {
  if (!config.publicUrl || !config.mcp.token) {
    process.stderr.write('atlantas mcp: set ATLANTAS_URL (the running server) and ATLANTAS_TOKEN (an API token with scope mcp:read or mcp:write)\n');
    return 78;
  }
  await runStdioProxy({ serverUrl: config.publicUrl, token: config.mcp.token, warn: (line) => process.stderr.write(`${line}\n`) });
  return 0;
}

async function migrateOnly(config: Config): Promise<number> {
  const log = createLogger({ level: config.logLevel });
  const { db } = await openCore(config, log);
  await db.close();
  process.stdout.write('migrations are up to date\n');
  return 0;
}

const TENANT_USAGE = 'usage: atlantas tenant create <slug> --admin-email <email> [--admin-password-file <file>] [--name <name>]\n' +
  '       (without --admin-password-file the password is read from stdin)\n';

async function tenantCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'admin-email': { type: 'string' }, 'admin-password-file': { type: 'string' }, name: { type: 'string' },
      // Declared only to refuse it with a useful message.
      'admin-password': { type: 'string' },
    },
  });
  if (positionals[0] !== 'create' || !positionals[1]) {
    process.stderr.write(TENANT_USAGE);
    return 2;
  }
  if (values['admin-password'] !== undefined) {
    process.stderr.write(
      'atlantas tenant create: --admin-password is not accepted: a password on the command line is visible in the process list and shell history.\n' +
        "  Pipe it on stdin:  printf '%s\\n' \"$ADMIN_PASSWORD\" | atlantas tenant create <slug> --admin-email <email>\n" +
        '  or put it in a file readable only by you:  atlantas tenant create <slug> --admin-email <email> --admin-password-file <file>\n',
    );
    return 2;
  }
  const file = values['admin-password-file'];
  const password = file ? await secretFromFile(file) : await secretFromStdin(`admin password for ${values['admin-email'] ?? 'the new admin'}: `);
  const input = CreateTenantInput.safeParse({
    slug: positionals[1], name: values.name, admin_email: values['admin-email'], admin_password: password,
  });
  if (!input.success) {
    process.stderr.write(`atlantas tenant create: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const { core, db } = await openCore(config, log);
  try {
    const { tenant: platform } = await core.tenants.bootstrap({ slug: config.defaultTenant });
    const actor = systemActors.cli(platform.id);
    const { tenant, admin } = await core.tenants.create(actor, input.data);
    process.stdout.write(`created tenant ${tenant.slug} (${tenant.id}) with admin ${admin.email}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

/** Re-seals every ciphertext not under the current key; batches commit one by one, so a rerun resumes. */
async function rotateKeyCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string', default: '50' } } });
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    process.stderr.write('atlantas rotate-key: --batch-size must be a positive integer\n');
    return 2;
  }
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const { internals, db } = await openCore(config, log);
  try {
    const reports = await rotateAll(internals.rotation.list(), internals.encryptor, log, { batchSize });
    for (const r of reports) process.stdout.write(`${r.name}: ${r.rotated} re-encrypted\n`);
    process.stdout.write(
      `everything is encrypted with key ${internals.encryptor.currentKeyId}; ATLANTAS_ENCRYPTION_KEY_PREVIOUS can be removed\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}
