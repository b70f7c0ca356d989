import { z } from 'zod';
import { ProjectResource } from '../../api/openapi/resources.js';
import { projectJson } from '../../api/presenters/v1.js';
import { ListPageArgs, ListPageFields, listPage } from '../data-field.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listProjectsTool = defineTool({
  name: 'list_projects',
  title: 'List projects',
  description: 'Lists the Terraform projects registered in your tenant (name, repository, directory, workspace, branch, auto_apply). ' +
    'Use it to find the project name to pass to plan or get_project.',
  input: z.object(ListPageArgs),
  output: z.object({ ...ListPageFields, projects: z.array(ProjectResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, paging) {
    const { items: projects, total, next_offset } = listPage((await core.projects.list(actor)).map(projectJson), paging);
    const lines = projects.map((p) => `- ${p.name}: ${p.repository_url ?? '(no repository)'} ${p.terraform_path} (${p.workspace}, branch ${p.branch})`);
    return { structured: { projects, total, next_offset }, text: `${total} project(s)${lines.length ? ':\n' + lines.join('\n') : '.'}${next_offset === null ? '' : `\nMore from offset ${next_offset}`}` };
  },
});
