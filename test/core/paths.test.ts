import { describe, expect, it } from 'vitest';
import { cleanRepoRelDir, workspaceProblem } from '../../src/core/projects/paths.js';

describe('cleanRepoRelDir', () => {
  it.each([
    ['.', '.'], ['./', '.'], ['/', '.'], ['', '.'], ['/adir', 'adir'], ['a/b/', 'a/b'], ['a//b/./c', 'a/b/c'], ['a/../b', 'b'], ['/../etc', 'etc'],
  ])('%j → %j', (input, expected) => expect(cleanRepoRelDir(input)).toBe(expected));

  it.each(['..', '../x', 'a/../../x', '../../etc'])('%j escapes the repository', (input) => {
    expect(cleanRepoRelDir(input)).toBeNull();
  });
});

describe('workspaceProblem', () => {
  it.each(['default', 'prod', 'a;id', 'a&&id', '.hidden', 'x|y'])('%j is allowed (argv, not a shell)', (ws) => {
    expect(workspaceProblem(ws)).toBeNull();
  });
  it.each([
    ['a/b', "cannot contain '/' or '\\'"], ['..x', "cannot contain '..'"], ['.', "cannot be '.'"], ['-x', "cannot start with '-'"],
    ['~x', "cannot start with '~'"], ['$x', "cannot contain '$'"], ['a b', 'cannot contain whitespace or control characters'],
  ])('%j: %s', (ws, reason) => expect(workspaceProblem(ws)).toBe(reason));
});
