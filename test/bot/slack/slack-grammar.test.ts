import { describe, expect, it } from 'vitest';
import { parseSlackCommand } from '../../../src/bot/slack/slack-grammar.js';

describe('the /atlantas grammar', () => {
  it('reads plan with the PR flags and the Slack target', () => {
    expect(parseSlackCommand('plan acme/infra -d network')).toEqual({ kind: 'plan', repo: 'acme/infra', pr: null, dir: 'network', workspace: '', project: '', extraArgs: [] });
    expect(parseSlackCommand('plan acme/infra#12 -w staging -d ./a/b/ -- -var "x=1 2"')).toEqual({
      kind: 'plan', repo: 'acme/infra', pr: 12, dir: 'a/b', workspace: 'staging', project: '', extraArgs: ['-var', 'x=1 2'],
    });
    expect(parseSlackCommand('plan -p app acme/infra')).toMatchObject({ kind: 'plan', project: 'app', dir: '' });
  });

  it('refuses what a PR comment refuses, with the same texts', () => {
    const text = (t: string) => (parseSlackCommand(t) as { text: string }).text;
    expect(text('plan acme/infra -w "a b"')).toContain('Error: invalid workspace "a b"');
    expect(text('plan acme/infra --bogus')).toContain('Error: unknown flag: --bogus.');
    expect(text('plan acme/infra acme/other')).toContain('Error: unknown argument(s) – acme/other.');
    expect(text('plan ../infra')).toContain('Error: invalid target "../infra": expected owner/repo or owner/repo#PR.');
    expect(text('plan acme/infra#x')).toContain('invalid target');
    expect(text('plan "acme/infra')).toContain('Error parsing command:');
    expect(text('apply')).toBe('```\nError: missing argument(s) – expected RUN_ID.\nUsage: /atlantas apply RUN_ID\n```');
    expect(text('whoami now')).toContain('Error: unknown argument(s) – now.');
  });

  it('reads the run, lock and identity commands', () => {
    expect(parseSlackCommand('apply 123')).toEqual({ kind: 'apply', runId: '123' });
    expect(parseSlackCommand('DISCARD 123')).toEqual({ kind: 'discard', runId: '123' });
    expect(parseSlackCommand('status')).toEqual({ kind: 'status', runId: null });
    expect(parseSlackCommand('runs net')).toEqual({ kind: 'runs', project: 'net' });
    expect(parseSlackCommand('drift')).toEqual({ kind: 'drift', project: null });
    expect(parseSlackCommand('locks')).toEqual({ kind: 'locks' });
    expect(parseSlackCommand('unlock abc')).toEqual({ kind: 'unlock', lockId: 'abc' });
    expect(parseSlackCommand('link ABCD-EFGH')).toEqual({ kind: 'link', code: 'ABCD-EFGH' });
    expect(parseSlackCommand('whoami')).toEqual({ kind: 'whoami' });
  });

  it('answers help for nothing, help, -h and an unknown subcommand', () => {
    for (const t of ['', '  ', 'help', '-h', '--help', 'plan -h']) expect(parseSlackCommand(t)).toEqual({ kind: 'help' });
    expect(parseSlackCommand('deploy prod')).toEqual({ kind: 'help', unknown: 'deploy' });
  });
});
