import { z } from 'zod';
import { RepoFullName } from '../core/runs/run.schemas.js';

/** The body of Atlantis's POST /api/plan and /api/apply (atlantis-api.md), validated with its messages. */
export const AtlantisCommandInput = z
  .object({
    Repository: RepoFullName.optional(),
    Ref: z.string().trim().min(1).max(255).optional(),
    Type: z.string().optional(),
    Projects: z.array(z.string().min(1)).optional(),
    Paths: z.array(z.object({ Directory: z.string().optional(), Workspace: z.string().optional() })).optional(),
    PR: z.number().int().min(0).optional(),
  })
  .superRefine((v, ctx) => {
    for (const key of ['Repository', 'Ref', 'Type'] as const) {
      if (!v[key]) ctx.addIssue({ code: 'custom', path: [key], message: `missing required parameter: ${key.toLowerCase()}` });
    }
    if (v.Type && v.Type.toLowerCase() !== 'github') {
      ctx.addIssue({ code: 'custom', path: ['Type'], message: `unsupported VCS type "${v.Type}"; Atlantas works with Github` });
    }
    if (!v.Projects?.length && !v.Paths?.length) {
      ctx.addIssue({ code: 'custom', path: ['Projects'], message: "at least one of 'Projects' or 'Paths' must be specified" });
    }
    v.Paths?.forEach((p, i) => {
      if (!p.Directory && !p.Workspace) ctx.addIssue({ code: 'custom', path: ['Paths', i], message: 'at least one of Directory or Workspace must be specified' });
    });
  })
  .transform((v) => ({ ...v, Repository: v.Repository!, Ref: v.Ref! }));
