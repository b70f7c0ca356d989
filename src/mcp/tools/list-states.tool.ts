import { z } from 'zod';
import { StateResource } from '../../api/openapi/resources.js';
import { stateJson } from '../../api/presenters/v1.js';
import { ListPageArgs, ListPageFields, listPage } from '../data-field.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listStatesTool = defineTool({
  name: 'list_states',
  title: 'List Terraform states',
  description: 'Lists the Terraform states Atlantas holds for your tenant (name, workspace, serial, lock). Use a state id with list_state_versions or get_state_outputs.',
  input: z.object(ListPageArgs),
  output: z.object({ ...ListPageFields, states: z.array(StateResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, paging) {
    const { items: states, total, next_offset } = listPage((await core.state.list(actor)).map(stateJson), paging);
    const lines = states.map((s) => `- ${s.id}: ${s.name} (${s.workspace}) serial ${s.serial}${s.is_locked ? ', locked' : ''}`);
    return { structured: { states, total, next_offset }, text: `${total} state(s)${lines.length ? ':\n' + lines.join('\n') : '.'}${next_offset === null ? '' : `\nMore from offset ${next_offset}`}` };
  },
});
