import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { parseRepoConfig } from '../../../src/core/terraform/repo-config.js';

/**
 * A repository file is data: whatever an error says about it, it never quotes what is written
 * there (a secret pasted in the wrong field, or the server's own environment behind a symlink).
 * It names the file, the line and the path, and what was expected.
 */
const SECRET = 'sk_live_9f8e7d6c5b4a39281706';
const ODD_SECRET = 'hunter2+Zm9vYmFy/c2VjcmV0==';
const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;

function message(text: string): string {
  try {
    parseRepoConfig(text, 'atlantis.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('repo_config_invalid');
    return (err as Error).message;
  }
  throw new Error('expected parseRepoConfig to fail');
}

describe('repo config messages never echo the file', () => {
  it.each([
    ['the whole file is one text value', SECRET, 'atlantis.yaml line 1: must be a mapping of version, projects'],
    ['version is a text', yaml(`version: ${SECRET}`), 'atlantis.yaml line 1: version: only versions 2 and 3 are supported'],
    ['projects is a text', yaml('version: 3', `projects: ${SECRET}`), 'atlantis.yaml line 2: projects: must be a list, not a text value'],
    ['a boolean is a text', yaml('version: 3', `automerge: ${SECRET}`), 'atlantis.yaml line 2: automerge: must be true or false, not a text value'],
    ['a dir escapes', yaml('version: 3', 'projects:', `- dir: ../${SECRET}`), 'atlantis.yaml line 3: projects[0].dir: escapes the repository'],
    ['a name is odd', yaml('version: 3', 'projects:', '- dir: a', `  name: "${ODD_SECRET} x"`), 'atlantis.yaml line 4: projects[0].name: is not allowed'],
    ['a requirement is unknown', yaml('version: 3', 'projects:', `- {dir: a, apply_requirements: [${SECRET}]}`), 'atlantis.yaml line 3: projects[0].apply_requirements[0]: must be one of: approved, mergeable, undiverged'],
    ['a workflow is not defined', yaml('version: 3', 'projects:', `- {dir: a, workflow: ${SECRET}}`), 'atlantis.yaml line 3: projects[0].workflow: is not a defined workflow'],
    ['depends_on a secret', yaml('version: 3', 'projects:', `- {name: a, dir: a, depends_on: ["${ODD_SECRET}"]}`), 'atlantis.yaml line 3: projects[0].depends_on[0]: names no project; project names are: a'],
    ['a branch is not a regex', yaml('version: 3', 'projects:', `- {dir: a, branch: "/(${ODD_SECRET}/"}`), 'atlantis.yaml line 3: projects[0].branch: is not a valid regex (Unterminated group)'],
    ['a step is unknown', yaml('version: 3', 'workflows:', '  w:', '    plan:', `      steps: [${SECRET}]`), 'atlantis.yaml line 5: workflows.w.plan.steps[0]: is not a step Atlantas runs'],
    ['an env name is invalid', yaml('version: 3', 'workflows:', '  w:', '    plan:', `      steps: [{env: {name: "${ODD_SECRET}", value: x}}]`), 'atlantis.yaml line 5: workflows.w.plan.steps[0].env.name: is not a valid environment variable name'],
  ])('%s', (_title, text, expected) => {
    const got = message(text);
    expect(got.startsWith(expected)).toBe(true);
    expect(got).not.toContain(SECRET);
    expect(got).not.toContain(ODD_SECRET);
  });

  it('names a key only when it is a plain identifier', () => {
    expect(message(yaml('version: 3', 'projcts: []'))).toMatch(/^atlantis\.yaml line 2: unknown key "projcts"; allowed keys are: version, projects/);
    const odd = message(yaml('version: 3', `"${ODD_SECRET}": 1`));
    expect(odd).toMatch(/^atlantis\.yaml line 2: an unknown key; allowed keys are: version, projects/);
    expect(odd).not.toContain(ODD_SECRET);
    const step = message(yaml('version: 3', 'workflows:', '  w:', '    plan:', `      steps: [{"${ODD_SECRET}": {}}]`));
    expect(step).toMatch(/^atlantis\.yaml line 5: workflows\.w\.plan\.steps\[0\]: the key is not a step Atlantas runs/);
    expect(step).not.toContain(ODD_SECRET);
  });

  it('keeps a workflow name that is not an identifier out of the path of later problems', () => {
    const got = message(yaml('version: 3', 'workflows:', `  "${ODD_SECRET}":`, '    plan:', '      steps: [show]'));
    expect(got).toMatch(/^atlantis\.yaml line 5: workflows\.\(key\)\.plan\.steps\[0\]: is not a step Atlantas runs/);
    expect(got).not.toContain(ODD_SECRET);
  });

  it('describes a YAML syntax error by its kind, without yaml\'s snippet of the source', () => {
    const token = message(yaml('version: 3', `automerge: |x ${SECRET}`, '  b'));
    expect(token).toMatch(/^atlantis\.yaml line 2: invalid YAML: unexpected text where YAML syntax was expected$/);
    const escape = message(yaml('version: 3', `automerge: "\\q${SECRET}"`));
    expect(escape).toBe('atlantis.yaml line 2: invalid YAML: a double-quoted string has an invalid escape sequence');
    const tag = message(yaml('version: 3', `automerge: !${SECRET} x`));
    expect(tag).not.toContain(SECRET);
  });
});
