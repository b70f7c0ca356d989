import type { Run } from '../runs/run.model.js';
import type { CloudCredentialRepository } from './cloud-credential.repository.js';
import type { CloudCredentialsService } from './cloud-credentials.service.js';
import type { ProviderChecks } from './provider-checks.js';
import { providerEnv, secretValues, withCredentialEnv } from './provider-env.js';

/** What a run's job gets of its project's cloud credential: the env terraform sees and the values its output must not show. */
export interface RunCloudEnv {
  env: Record<string, string>;
  secrets: string[];
}

/**
 * The cloud credential a run gets: its project's, else its environment's, always of the run's
 * own tenant (the repository's query says so), as the provider's standard variables on top of
 * the server's passthrough env minus that provider's. An assume_role credential becomes the
 * role's temporary keys, asked for at each job.
 */
export class CloudRunEnvironment {
  constructor(private readonly deps: { repo: CloudCredentialRepository; service: CloudCredentialsService; checks: ProviderChecks }) {}

  async forRun(run: Pick<Run, 'id' | 'tenantId' | 'projectId' | 'environmentId'>, base: Record<string, string>): Promise<RunCloudEnv> {
    const row = await this.deps.repo.forRun(run.tenantId, run.projectId, run.environmentId);
    if (!row) return { env: base, secrets: [] };
    const secrets = this.deps.service.open(row);
    const assumed = row.provider === 'aws' && row.credentialType === 'assume_role' ? await this.deps.checks.assumedKeys(secrets, `atlantas-run-${run.id.slice(0, 8)}`) : undefined;
    const env = providerEnv(row.provider, secrets, assumed);
    const values = secretValues(env, secrets);
    return { env: withCredentialEnv(base, row.provider, env), secrets: values };
  }
}
