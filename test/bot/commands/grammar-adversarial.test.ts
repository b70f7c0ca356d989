import { describe, expect, it } from 'vitest';
import { parseComment, type ParseOptions } from '../../../src/bot/commands/grammar.js';

/**
 * Comments built to make a backtracking parser take quadratic time (GitHub allows 65,536
 * characters). Each must come back with the right answer; how long it takes is measured in
 * `npm run bench -- comment-parse`, never asserted here.
 */
const OPTS: ParseOptions = { executableNames: ['atlantis', 'atlantas'], botUser: 'atlantas-bot' };
const K = 64 * 1024;
const parse = (text: string) => parseComment(text, OPTS);

describe('parseComment on adversarial 64 KiB comments', () => {
  it('64 KiB of spaces alone is ignored; between the words they are one separator', () => {
    expect(parse(' '.repeat(K))).toEqual({ ignored: true });
    expect(parse(`atlantis plan${' '.repeat(K)}-d envs/prod`)).toMatchObject({ ignored: false, command: 'plan', dir: 'envs/prod', error: undefined });
    expect(parse(`${' \t'.repeat(K / 2)}atlantis apply -p web${' '.repeat(K)}`)).toMatchObject({ command: 'apply', project: 'web', error: undefined });
  });

  it('64 KiB of dashes: ignored unless addressed; after `--` it is one extra arg; as a flag it is refused', () => {
    const dashes = '-'.repeat(K);
    expect(parse(dashes)).toEqual({ ignored: true });
    expect(parse(`atlantis plan -- ${dashes}`)).toMatchObject({ command: 'plan', extraArgs: [dashes], commentArgs: [dashes], error: undefined });
    expect(parse(`atlantis plan ${dashes}`)).toMatchObject({ command: 'plan', error: expect.stringContaining('Error: bad flag syntax: ---') });
    const lone = parse(`atlantis plan ${'- '.repeat(K / 2)}`);
    expect(lone).toMatchObject({ command: 'plan', error: expect.stringContaining('Error: unknown argument(s) – - - -') });
  });

  it('one long line after `--` becomes exactly the extra args, word for word', () => {
    const word = 'a'.repeat(K);
    expect(parse(`atlantis plan -- ${word}`)).toMatchObject({ command: 'plan', extraArgs: [word], error: undefined });
    const many = parse(`atlantis plan -d . -- ${'-var x=1 '.repeat(K / 9)}`);
    expect(many).toMatchObject({ command: 'plan', dir: '.', error: undefined });
    expect(many.ignored === false && many.extraArgs.length).toBe(2 * Math.floor(K / 9));
    expect(many.ignored === false && many.extraArgs.slice(0, 2)).toEqual(['-var', 'x=1']);
  });

  it('backticks: the fence around a command is dropped, a wall of backticks inside a word is kept', () => {
    const fence = '`'.repeat(K);
    expect(parse(`${fence}atlantis plan -w staging${fence}`)).toMatchObject({ command: 'plan', workspace: 'staging', error: undefined });
    expect(parse(`a${fence}a`)).toEqual({ ignored: true });
    expect(parse(fence)).toEqual({ ignored: true });
    expect(parse(`atlantis plan -- x${fence}y`)).toMatchObject({ command: 'plan', extraArgs: [`x${fence}y`], error: undefined });
  });

  it('many lines: a command with a second non-blank line is ignored; blank lines around one command are fine', () => {
    expect(parse(`atlantis plan\n${'x\n'.repeat(K / 2)}`)).toEqual({ ignored: true });
    expect(parse('atlantis plan\n'.repeat(K / 14))).toEqual({ ignored: true });
    expect(parse(`${'\r\n'.repeat(K / 2)}atlantis plan -d a${'\n'.repeat(K)}`)).toMatchObject({ command: 'plan', dir: 'a', error: undefined });
    expect(parse(`atlantis plan -- ${'a'.repeat(K)}\nmore`)).toEqual({ ignored: true });
  });
});
