import { z } from 'zod';
import { StateVersionResource } from '../../api/openapi/resources.js';
import { stateVersionJson } from '../../api/presenters/v1.js';
import { ListPageArgs, ListPageFields, listPage } from '../data-field.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const StateId = z.string().trim().min(1).max(100).describe('a state id, from list_states');

export const listStateVersionsTool = defineTool({
  name: 'list_state_versions',
  title: 'List a state\'s versions',
  description: 'Lists the version history of one state, newest first: serial, who wrote it, through what, and when.',
  input: z.object({ state_id: StateId, ...ListPageArgs }),
  output: z.object({ ...ListPageFields, versions: z.array(StateVersionResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, { state_id, ...paging }) {
    const { items: versions, total, next_offset } = listPage((await core.state.versions(actor, state_id)).map(stateVersionJson), paging);
    const lines = versions.map((v) => `- v${v.version} serial ${v.serial} by ${v.created_by.name} via ${v.via} at ${v.created_at}`);
    return { structured: { versions, total, next_offset }, text: `${total} version(s)${lines.length ? ':\n' + lines.join('\n') : '.'}${next_offset === null ? '' : `\nMore from offset ${next_offset}`}` };
  },
});
