import { z } from 'zod';
import { ResourceName } from '../projects/project.schemas.js';

/** `POST organizations/{org}/projects` / `PATCH projects/{id}`: `{"data":{"type":"projects","attributes":{"name":"infra"}}}`; a TFE project is an Atlantas project, so its name follows the project name rule. */
export const ProjectDocument = z.object({
  data: z.object({
    type: z.literal('projects', { message: 'must be "projects"' }).optional(),
    attributes: z.object({ name: ResourceName.optional(), description: z.string().max(1000).optional() }).passthrough().default({}),
  }).passthrough(),
}).passthrough();
