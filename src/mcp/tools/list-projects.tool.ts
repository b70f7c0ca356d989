import { z } from 'zod';
import { ProjectResource } from '../../api/openapi/resources.js';
import { projectJson } from '../../api/presenters/v1.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listProjectsTool = defineTool({
  name: 'list_projects',
  title: 'List projects',
  description: 'Lists the Terraform projects registered in your tenant (name, repository, directory, workspace, branch, auto_apply). ' +
    'Use it to find the project name to pass to plan or get_project.',
  input: z.object({}),
  output: z.object({ projects: z.array(ProjectResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }) {
    const projects = (await core.projects.list(actor)).map(projectJson);
    const lines = projects.map((p) => `- ${p.name}: ${p.repository_url ?? '(no repository)'} ${p.terraform_path} (${p.workspace}, branch ${p.branch})`);
    return { structured: { projects }, text: `${projects.length} project(s)${lines.length ? ':\n' + lines.join('\n') : '.'}` };
  },
});
