import { z } from 'zod';
import { RepoFullName } from '../runs/run.schemas.js';

/** GET /api/v1/locks */
export const ListLocksQuery = z.object({
  repo: RepoFullName.optional().describe('only the locks of this repository (owner/repo)'),
});
export type ListLocksQuery = z.infer<typeof ListLocksQuery>;
