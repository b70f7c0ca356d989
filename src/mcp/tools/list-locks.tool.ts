import { z } from 'zod';
import { LockResource } from '../../api/openapi/resources.js';
import { lockJson } from '../../core/locks/locks.service.js';
import { ListPageArgs, ListPageFields, listPage } from '../data-field.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listLocksTool = defineTool({
  name: 'list_locks',
  title: 'List project locks',
  description: 'Lists project locks (repo/dir/workspace held by a pull request or by someone\'s plan). A held lock is why a plan is refused; ' +
    'each entry names its holder and run.',
  input: z.object({ repo: z.string().max(200).optional().describe('only locks of this owner/repo'), ...ListPageArgs }),
  output: z.object({ ...ListPageFields, locks: z.array(LockResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, { repo, ...paging }) {
    const { items: locks, total, next_offset } = listPage((await core.locks.list(actor, { repoFullName: repo })).map(lockJson), paging);
    const lines = locks.map((l) => `- ${l.id}: ${l.key} held by ${l.holder} since ${l.locked_at}`);
    return { structured: { locks, total, next_offset }, text: `${total} lock(s)${lines.length ? ':\n' + lines.join('\n') : '.'}${next_offset === null ? '' : `\nMore from offset ${next_offset}`}` };
  },
});
