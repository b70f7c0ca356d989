import { describe, expect, it } from 'vitest';
import { buildApplyCommand, buildPlanCommand } from '../../../src/bot/commands/comment-builder.js';
import { parseComment } from '../../../src/bot/commands/grammar.js';
import { shellQuote, shlexSplit } from '../../../src/bot/commands/shlex.js';

const t = (dir: string, workspace: string, projectName = '') => ({ dir, workspace, projectName });

describe('buildPlanCommand / buildApplyCommand', () => {
  // Atlantis TestBuildPlanApplyVersionComment.
  it.each([
    [t('.', 'default'), [], 'atlantis plan -d .', 'atlantis apply -d .'],
    [t('dir', 'default'), [], 'atlantis plan -d dir', 'atlantis apply -d dir'],
    [t('.', 'workspace'), [], 'atlantis plan -w workspace', 'atlantis apply -w workspace'],
    [t('dir', 'workspace'), [], 'atlantis plan -d dir -w workspace', 'atlantis apply -d dir -w workspace'],
    [t('.', 'default', 'project'), [], 'atlantis plan -p project', 'atlantis apply -p project'],
    [t('dir', 'workspace', 'project'), [], 'atlantis plan -p project', 'atlantis apply -p project'],
    [t('.', 'default'), ['arg1', 'arg2'], 'atlantis plan -d . -- arg1 arg2', 'atlantis apply -d .'],
    [t('dir', 'workspace'), ['arg1', 'arg2', 'arg3'], 'atlantis plan -d dir -w workspace -- arg1 arg2 arg3', 'atlantis apply -d dir -w workspace'],
    [t('dir with spaces', 'default'), [], 'atlantis plan -d "dir with spaces"', 'atlantis apply -d "dir with spaces"'],
    [t('.', 'default'), ['-var', 'x=a b'], "atlantis plan -d . -- -var 'x=a b'", 'atlantis apply -d .'],
  ])('%j %j', (target, args, plan, apply) => {
    expect(buildPlanCommand('atlantis', target, args)).toBe(plan);
    expect(buildApplyCommand('atlantis', target)).toBe(apply);
  });

  it('adds the automerge flags to apply only', () => {
    expect(buildApplyCommand('atlantis', t('dir', 'workspace'), { autoMergeDisabled: true })).toBe('atlantis apply -d dir -w workspace --auto-merge-disabled');
    expect(buildApplyCommand('atlantas', t('.', 'default', 'web'), { autoMergeMethod: 'squash' })).toBe('atlantas apply -p web --auto-merge-method squash');
  });

  it.each([
    [t('envs/prod', 'staging'), ['-var', "msg=it's a;b", '-target=aws_instance.web["a"]', '']],
    [t("odd 'dir'", 'ws;1'), ['$(id)']],
    [t('.', 'default', 'my-project'), []],
  ])('builds commands that parse back to the same target and args: %j', (target, args) => {
    const plan = parseComment(buildPlanCommand('atlantis', target, args), { executableNames: ['atlantis'] });
    const expected = target.projectName ? { project: target.projectName } : { dir: target.dir };
    expect(plan).toMatchObject({ command: 'plan', error: undefined, extraArgs: args, ...expected });
    expect(parseComment(buildApplyCommand('atlantis', target), { executableNames: ['atlantis'] })).toMatchObject({ command: 'apply', error: undefined, extraArgs: [] });
  });
});

describe('shellQuote', () => {
  it.each(['plain', 'a b', "it's", '"q"', '$HOME', 'a\\b', '', '#x', '-var=x'])('%j survives shlexSplit', (arg) => {
    expect(shlexSplit(shellQuote(arg))).toEqual([arg]);
  });
  it('leaves plain words alone', () => expect(shellQuote('-target=aws_instance.web[0]')).toBe('-target=aws_instance.web[0]'));
});
