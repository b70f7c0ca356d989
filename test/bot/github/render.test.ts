import { describe, expect, it } from 'vitest';
import {
  lockHeldFailure,
  renderCommentResults,
  renderLocksDeleted,
  renderUnlocked,
  type ProjectResult,
} from '../../../src/bot/github/render.js';
import { lockedMessage } from '../../../src/core/locks/lock-holder.js';
import type { ProjectLock } from '../../../src/core/locks/project-lock.model.js';

const OPTS = { executableName: 'atlantis' };

/** A lock held by pull request `n`, as core stores it. */
const prLock = (n: number): ProjectLock => ({
  id: 'l', tenantId: 't', repoFullName: 'o/r', dir: 'path', workspace: 'workspace', projectName: '', holderKind: 'pull_request',
  prNumber: n, prUrl: null, holderName: `pull #${n}`, holderKey: null, lockedBy: 'alice', lockedByKey: null, vcsLogin: 'alice', runId: null, lockedAt: new Date(0),
});
const F = '```';

function result(fields: Partial<ProjectResult>): ProjectResult {
  return { command: 'plan', projectName: '', dir: 'path', workspace: 'workspace', status: 'success', ...fields };
}

const APPLY_ALL = `---
* :fast_forward: To **apply** all unapplied plans from this Pull Request, comment:
  ${F}shell
  atlantis apply
  ${F}
* :put_litter_in_its_place: To **delete** all plans and locks from this Pull Request, comment:
  ${F}shell
  atlantis unlock
  ${F}
`;

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('renderCommentResults: single project', () => {
  it('renders a plan exactly like the Atlantis sample', () => {
    const body = renderCommentResults('plan', [result({ output: 'terraform-output', lockUrl: 'lock-url' })], OPTS);
    expect(body).toBe(`Ran Plan for dir: \`path\` workspace: \`workspace\`

${F}diff
terraform-output
${F}

* :arrow_forward: To **apply** this plan, comment:
  ${F}shell
  atlantis apply -d path -w workspace
  ${F}
* :put_litter_in_its_place: To **delete** this plan and lock, click [here](lock-url)
* :repeat: To **plan** this project again, comment:
  ${F}shell
  atlantis plan -d path -w workspace
  ${F}

${APPLY_ALL}`);
  });

  it('names the project, quotes a spaced dir, repeats extra args in the re-plan hint and carries automerge flags to apply', () => {
    const named = renderCommentResults('plan', [result({ projectName: 'web', output: 'out\n' })], { executableName: 'atlantas', autoMergeMethod: 'squash' });
    expect(named.split('\n')[0]).toBe('Ran Plan for project: `web` dir: `path` workspace: `workspace`');
    expect(named).toContain('  atlantas apply -p web --auto-merge-method squash\n');
    expect(named).not.toContain('To **delete** this plan and lock');
    const spaced = renderCommentResults('plan', [result({ dir: 'dir with spaces', workspace: 'default', output: 'out', extraArgs: ['-var', 'x=a b'] })], {
      ...OPTS,
      autoMergeDisabled: true,
    });
    expect(spaced).toContain(`  atlantis apply -d "dir with spaces" --auto-merge-disabled\n`);
    expect(spaced).toContain(`  atlantis plan -d "dir with spaces" -- -var 'x=a b'\n`);
    const root = renderCommentResults('plan', [result({ dir: '.', workspace: 'staging', output: 'out' })], OPTS);
    expect(root).toContain('  atlantis apply -w staging\n');
  });

  it('folds output above 12 lines into Show Output and repeats the summary line after the hints', () => {
    const short = renderCommentResults('plan', [result({ output: `${lines(11)}\nPlan: 1 to add, 0 to change, 0 to destroy.\n` })], OPTS);
    expect(short).not.toContain('<details>');
    const output = `${lines(12)}\nNote: Objects have changed outside of Terraform\nPlan: 1 to add, 0 to change, 0 to destroy.\n`;
    const body = renderCommentResults('plan', [result({ output, lockUrl: 'lock-url' })], OPTS);
    expect(body).toBe(`Ran Plan for dir: \`path\` workspace: \`workspace\`

<details><summary>Show Output</summary>

${F}diff
${output.trimEnd()}
${F}
</details>

* :arrow_forward: To **apply** this plan, comment:
  ${F}shell
  atlantis apply -d path -w workspace
  ${F}
* :put_litter_in_its_place: To **delete** this plan and lock, click [here](lock-url)
* :repeat: To **plan** this project again, comment:
  ${F}shell
  atlantis plan -d path -w workspace
  ${F}

**Note: Objects have changed outside of Terraform**

Plan: 1 to add, 0 to change, 0 to destroy.

${APPLY_ALL}`);
  });

  it('lists resource changes, warns in bold about destroys, and links the run', () => {
    const plan = {
      hasChanges: true, toAdd: 1, toChange: 1, toDestroy: 2, toImport: 1, summary: 'Plan: 1 to import, 1 to add, 1 to change, 2 to destroy.', changesOutside: false,
      resourceChanges: [
        { address: 'terraform_data.web', action: 'create' as const },
        { address: 'terraform_data.db', action: 'update' as const },
        { address: 'terraform_data.cache', action: 'replace' as const },
        { address: 'terraform_data.old', action: 'delete' as const },
        { address: 'terraform_data.imported', action: 'import' as const },
      ],
    };
    const body = renderCommentResults('plan', [result({ output: 'out', plan, runUrl: 'https://atlantas.example/runs/r1' })], OPTS);
    expect(body).toBe(`Ran Plan for dir: \`path\` workspace: \`workspace\`

:warning: **This plan destroys 2 resources**: \`terraform_data.cache\`, \`terraform_data.old\`

**Resource changes** (5):
${F}diff
+ create    terraform_data.web
~ update    terraform_data.db
-/+ replace terraform_data.cache
- destroy   terraform_data.old
<= import   terraform_data.imported
${F}

${F}diff
out
${F}

* :arrow_forward: To **apply** this plan, comment:
  ${F}shell
  atlantis apply -d path -w workspace
  ${F}
* :repeat: To **plan** this project again, comment:
  ${F}shell
  atlantis plan -d path -w workspace
  ${F}

:link: [View this run in Atlantas](https://atlantas.example/runs/r1)

${APPLY_ALL}`);
    const safe = renderCommentResults('plan', [result({ output: 'out', plan: { ...plan, toDestroy: 0, resourceChanges: plan.resourceChanges.slice(0, 2) } })], OPTS);
    expect(safe).not.toContain('destroys');
  });

  it('renders errors (folded when long), failures and the lock-held failure', () => {
    expect(renderCommentResults('plan', [result({ status: 'error', error: 'error' })], OPTS)).toBe(
      `Ran Plan for dir: \`path\` workspace: \`workspace\`\n\n**Plan Error**\n${F}\nerror\n${F}\n`,
    );
    expect(renderCommentResults('plan', [result({ status: 'error', error: lines(14) })], OPTS)).toBe(
      `Ran Plan for dir: \`path\` workspace: \`workspace\`\n\n**Plan Error**\n<details><summary>Show Output</summary>\n\n${F}\n${lines(14)}\n${F}\n</details>\n`,
    );
    expect(renderCommentResults('apply', [result({ status: 'failure', failure: 'Pull request must be approved.' })], OPTS)).toBe(
      'Ran Apply for dir: `path` workspace: `workspace`\n\n**Apply Failed**: Pull request must be approved.\n',
    );
    const locked = renderCommentResults('plan', [result({ status: 'failure', failure: lockHeldFailure(lockedMessage(prLock(12)), 'atlantis') })], OPTS);
    expect(locked).toBe(
      'Ran Plan for dir: `path` workspace: `workspace`\n\n**Plan Failed**: This project is currently locked by an unapplied plan from pull #12. ' +
        'To continue, delete the lock from #12 or apply that plan and merge the pull request.\n\nOnce the lock is released, comment `atlantis plan` here to re-plan.\n',
    );
  });

  it('renders an apply, with its summary under folded output, and the verbose log', () => {
    expect(renderCommentResults('apply', [result({ command: 'apply', output: 'success' })], OPTS)).toBe(
      `Ran Apply for dir: \`path\` workspace: \`workspace\`\n\n${F}diff\nsuccess\n${F}\n`,
    );
    const long = result({ command: 'apply', output: lines(13), applySummary: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.', verboseLog: 'step 1\nstep 2\n' });
    expect(renderCommentResults('apply', [long], { ...OPTS, verbose: true })).toBe(
      `Ran Apply for dir: \`path\` workspace: \`workspace\`\n\n<details><summary>Show Output</summary>\n\n${F}diff\n${lines(13)}\n${F}\n</details>\n\n` +
        `Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\n<details><summary>Log</summary>\n  <p>\n\n${F}\nstep 1\nstep 2\n${F}\n</p></details>\n`,
    );
    expect(renderCommentResults('apply', [long], OPTS)).not.toContain('Log');
  });

  it('never lets output close its fence early', () => {
    const body = renderCommentResults('apply', [result({ output: 'a\n```\nb' })], OPTS);
    expect(body).toContain('````diff\na\n```\nb\n````');
  });

  it('replaces the hints when automerge deleted the plans', () => {
    const body = renderCommentResults('plan', [result({ output: 'out', lockUrl: 'x' })], { ...OPTS, plansDeleted: true });
    expect(body).toBe(
      `Ran Plan for dir: \`path\` workspace: \`workspace\`\n\n${F}diff\nout\n${F}\n\nThis plan was not saved because one or more projects failed and automerge requires all plans pass.\n`,
    );
  });
});

describe('renderCommentResults: several projects', () => {
  it('numbers the projects, separates sections and ends with the plan summary and hints', () => {
    const body = renderCommentResults(
      'plan',
      [
        result({ output: 'Plan: 1 to add, 0 to change, 0 to destroy.', lockUrl: 'lock-url' }),
        result({ projectName: 'projectname', dir: 'path2', output: 'No changes. Your infrastructure matches the configuration.' }),
        result({ dir: 'path3', status: 'failure', failure: 'failure' }),
        result({ dir: 'path4', status: 'error', error: 'error' }),
      ],
      OPTS,
    );
    expect(body).toBe(`Ran Plan for 4 projects:

1. dir: \`path\` workspace: \`workspace\`
1. project: \`projectname\` dir: \`path2\` workspace: \`workspace\`
1. dir: \`path3\` workspace: \`workspace\`
1. dir: \`path4\` workspace: \`workspace\`

---
### 1. dir: \`path\` workspace: \`workspace\`
${F}diff
Plan: 1 to add, 0 to change, 0 to destroy.
${F}

* :arrow_forward: To **apply** this plan, comment:
  ${F}shell
  atlantis apply -d path -w workspace
  ${F}
* :put_litter_in_its_place: To **delete** this plan and lock, click [here](lock-url)
* :repeat: To **plan** this project again, comment:
  ${F}shell
  atlantis plan -d path -w workspace
  ${F}

---
### 2. project: \`projectname\` dir: \`path2\` workspace: \`workspace\`
${F}diff
No changes. Your infrastructure matches the configuration.
${F}

* :arrow_forward: To **apply** this plan, comment:
  ${F}shell
  atlantis apply -p projectname
  ${F}
* :repeat: To **plan** this project again, comment:
  ${F}shell
  atlantis plan -p projectname
  ${F}

---
### 3. dir: \`path3\` workspace: \`workspace\`
**Plan Failed**: failure

---
### 4. dir: \`path4\` workspace: \`workspace\`
**Plan Error**
${F}
error
${F}

---
### Plan Summary

4 projects, 1 with changes, 1 with no changes, 2 failed

${APPLY_ALL.replace('---\n', '')}`);
  });

  it('ends several applies with the apply summary', () => {
    const body = renderCommentResults(
      'apply',
      [
        result({ command: 'apply', projectName: 'projectname', output: 'success' }),
        result({ command: 'apply', dir: 'path2', output: 'success2' }),
        result({ command: 'apply', dir: 'path3', status: 'failure', failure: 'locked' }),
      ],
      OPTS,
    );
    expect(body).toBe(`Ran Apply for 3 projects:

1. project: \`projectname\` dir: \`path\` workspace: \`workspace\`
1. dir: \`path2\` workspace: \`workspace\`
1. dir: \`path3\` workspace: \`workspace\`

---
### 1. project: \`projectname\` dir: \`path\` workspace: \`workspace\`
${F}diff
success
${F}

---
### 2. dir: \`path2\` workspace: \`workspace\`
${F}diff
success2
${F}

---
### 3. dir: \`path3\` workspace: \`workspace\`
**Apply Failed**: locked

---
### Apply Summary

3 projects, 2 successful, 1 failed, 0 errored
`);
  });
});

describe('lock texts', () => {
  it('renders the unlock reply and the cleanup comment after close', () => {
    expect(renderUnlocked()).toBe('All Atlantis locks for this PR have been unlocked and plans discarded');
    expect(renderLocksDeleted([{ dir: '.', workspaces: ['default', 'staging'] }, { dir: 'envs/prod', workspaces: ['default'] }])).toBe(
      'Locks and plans deleted for the projects and workspaces modified in this pull request:\n\n' +
        '- dir: `.` workspaces: `default`, `staging`\n- dir: `envs/prod` workspaces: `default`',
    );
  });

  it('names a holder outside pull requests', () => {
    const reason = 'This project is currently locked by alice via Slack. To continue, wait until that lock is released or ask its holder to release it.';
    expect(lockHeldFailure(reason, 'atlantas')).toBe(
      'This project is currently locked by alice via Slack. To continue, wait until that lock is released or ask its holder to release it.\n\n' +
        'Once the lock is released, comment `atlantas plan` here to re-plan.',
    );
  });
});
