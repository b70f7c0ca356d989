import { z } from 'zod';
import { CloudCredentialRef, RepositoryUrl, ResourceName, Workspace } from '../projects/project.schemas.js';
import { CLOUD_PROVIDERS } from './environment.model.js';

const Provider = z.enum(CLOUD_PROVIDERS, { message: `must be one of ${CLOUD_PROVIDERS.join(', ')}` });
const Region = z.string().trim().max(100).regex(/^[a-z0-9-]*$/, 'must be a region id such as eu-west-1');

export const CreateEnvironmentInput = z
  .object({
    name: ResourceName,
    cloud_provider: Provider,
    region: Region.default(''),
    terraform_workspace: Workspace.default('default'),
    repository_url: RepositoryUrl.default(''),
    instance_id: z.string().uuid().nullable().optional(),
    cloud_credential_id: CloudCredentialRef.optional(),
  })
  .strict();
export type CreateEnvironmentInput = z.infer<typeof CreateEnvironmentInput>;

export const UpdateEnvironmentInput = z
  .object({
    name: ResourceName,
    cloud_provider: Provider,
    region: Region,
    terraform_workspace: Workspace,
    repository_url: RepositoryUrl,
    instance_id: z.string().uuid().nullable(),
    cloud_credential_id: CloudCredentialRef,
  })
  .partial()
  .strict();
export type UpdateEnvironmentInput = z.infer<typeof UpdateEnvironmentInput>;
