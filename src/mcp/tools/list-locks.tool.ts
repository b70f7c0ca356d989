import { z } from 'zod';
import { LockResource } from '../../api/openapi/resources.js';
import { lockJson } from '../../core/locks/locks.service.js';
import { defineTool, READ_ONLY } from '../tool.js';

export const listLocksTool = defineTool({
  name: 'list_locks',
  title: 'List project locks',
  description: 'Lists project locks (repo/dir/workspace held by a pull request or by someone\'s plan). A held lock is why a plan is refused; ' +
    'each entry names its holder and run.',
  input: z.object({ repo: z.string().max(200).optional().describe('only locks of this owner/repo') }),
  output: z.object({ locks: z.array(LockResource) }),
  annotations: READ_ONLY,
  async run({ core, actor }, { repo }) {
    const locks = (await core.locks.list(actor, { repoFullName: repo })).map(lockJson);
    const lines = locks.map((l) => `- ${l.id}: ${l.key} held by ${l.holder} since ${l.locked_at}`);
    return { structured: { locks }, text: `${locks.length} lock(s)${lines.length ? ':\n' + lines.join('\n') : '.'}` };
  },
});
