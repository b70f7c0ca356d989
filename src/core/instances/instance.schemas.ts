import { z } from 'zod';
import { ResourceName } from '../projects/project.schemas.js';

export const INSTANCE_STATUSES = ['pending', 'provisioning', 'running', 'stopped', 'error', 'deleting'] as const;

const Version = z.string().trim().max(50).regex(/^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be a version such as v0.28.5');
const ConfigJson = z.record(z.string(), z.unknown()).refine((v) => JSON.stringify(v).length <= 64 * 1024, 'must be at most 64 KiB of JSON');

export const CreateInstanceInput = z
  .object({ name: ResourceName, version: Version.default('v0.28.5'), config_json: ConfigJson.default({}) })
  .strict();
export type CreateInstanceInput = z.infer<typeof CreateInstanceInput>;

export const UpdateInstanceInput = z
  .object({
    name: ResourceName,
    status: z.enum(INSTANCE_STATUSES, { message: `must be one of ${INSTANCE_STATUSES.join(', ')}` }),
    version: Version,
    config_json: ConfigJson,
  })
  .partial()
  .strict();
export type UpdateInstanceInput = z.infer<typeof UpdateInstanceInput>;
