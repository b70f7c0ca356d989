import { z } from 'zod';
import { ProjectResource } from '../../api/openapi/resources.js';
import { projectJson } from '../../api/presenters/v1.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const ProjectRef = z.string().trim().min(1).max(200).describe('a project name or id, from list_projects');

export const getProjectTool = defineTool({
  name: 'get_project',
  title: 'Get a project',
  description: 'Shows one registered project: its repository, directory, workspace, branch and whether it auto-applies.',
  input: z.object({ project: ProjectRef }),
  output: ProjectResource,
  annotations: READ_ONLY,
  async run({ core, actor }, { project }) {
    const p = projectJson(await core.projects.require(actor, project));
    return { structured: p, text: `Project ${p.name} (${p.id}): ${p.repository_url ?? 'no repository'} ${p.terraform_path}, workspace ${p.workspace}, branch ${p.branch}, auto_apply ${p.auto_apply}.` };
  },
});
