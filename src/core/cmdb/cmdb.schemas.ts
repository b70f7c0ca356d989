import { z } from 'zod';

/** Inputs of AtlasAI's CMDB endpoints (atlasai-api.txt "CMDB"). */
const Name = z.string().trim().min(1, 'name must not be empty').max(255, 'name must be at most 255 characters');
const CiClass = z
  .string()
  .trim()
  .min(1, 'class must not be empty')
  .max(100, 'class must be at most 100 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'class may contain letters, digits and . _ : - (e.g. "server" or "aws.instance")');

export const CreateCmdbItemInput = z.object({
  name: Name,
  class: CiClass,
  environment: z.string().trim().min(1).max(100).optional(),
  attributes: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((a) => JSON.stringify(a).length <= 64 * 1024, 'attributes must be at most 64 KiB of JSON'),
});
export type CreateCmdbItemInput = z.infer<typeof CreateCmdbItemInput>;

export const ListCmdbItemsQuery = z.object({
  class: CiClass.optional(),
  project_id: z.string().uuid('project_id must be a project id (UUID)').optional(),
  source: z.enum(['terraform', 'manual'], { message: 'source must be terraform or manual' }).optional(),
  limit: z.coerce.number({ message: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  offset: z.coerce.number({ message: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must not be negative').default(0),
});
export type ListCmdbItemsQuery = z.infer<typeof ListCmdbItemsQuery>;

export const CmdbImpactQuery = z.object({
  ci_id: z.string({ message: 'ci_id is required: the id of the configuration item whose blast radius you want' }).trim().min(1, 'ci_id must not be empty'),
  depth: z.coerce.number().int().min(1).max(50).default(50),
});
export type CmdbImpactQuery = z.infer<typeof CmdbImpactQuery>;
