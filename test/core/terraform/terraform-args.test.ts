import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { applyArgs, initArgs, planArgs, planOutcome, showJsonArgs, workspaceSelectArgs } from '../../../src/core/terraform/terraform-args.js';

describe('terraform argv builders', () => {
  it('init never prompts or colors, and reconfigures only when asked', () => {
    expect(initArgs()).toEqual(['init', '-input=false', '-no-color']);
    expect(initArgs({ reconfigure: true })).toEqual(['init', '-input=false', '-no-color', '-reconfigure']);
  });

  it('plans into the given file, with the mode flag, then the user extra args as separate items', () => {
    expect(planArgs({ out: 'run.tfplan', extraArgs: ['-var', 'x=a;echo pwned', '-target=terraform_data.a'] })).toEqual([
      'plan', '-input=false', '-no-color', '-out', 'run.tfplan', '-var', 'x=a;echo pwned', '-target=terraform_data.a',
    ]);
    expect(planArgs({ out: 'p', mode: 'destroy', detailedExitcode: true })).toEqual([
      'plan', '-input=false', '-no-color', '-out', 'p', '-destroy', '-detailed-exitcode',
    ]);
    expect(planArgs({ out: 'p', mode: 'refresh-only' })).toContain('-refresh-only');
  });

  it('refuses extra args that would take over flags Atlantas owns, naming the flag but not its value', () => {
    for (const arg of ['-out=/etc/x', '--out=x', '-chdir=..', '-destroy', '-state-out=s', '-input=true']) {
      expect(() => planArgs({ out: 'p', extraArgs: [arg] })).toThrow(InputError);
    }
    expect(() => planArgs({ out: 'p', extraArgs: ['-out=/secret/path'] })).toThrow(/"-out" is not allowed/);
    expect(() => planArgs({ out: 'p', extraArgs: ['-out=/secret/path'] })).not.toThrow(/secret/);
    expect(() => planArgs({ out: 'p', extraArgs: ['a\0b'] })).toThrow(/NUL/);
  });

  it('refuses a plan file that terraform would read as a flag', () => {
    expect(() => planArgs({ out: '-destroy' })).toThrow(InputError);
    expect(() => applyArgs('-auto-approve')).toThrow(InputError);
    expect(() => showJsonArgs('')).toThrow(InputError);
  });

  it('show and apply take the saved plan and nothing a user could add', () => {
    expect(showJsonArgs('run.tfplan')).toEqual(['show', '-json', '-no-color', 'run.tfplan']);
    expect(applyArgs('run.tfplan')).toEqual(['apply', '-input=false', '-no-color', 'run.tfplan']);
    expect(applyArgs.length).toBe(1);
  });

  it('selects or creates non-default workspaces, and skips default and the Atlantas http backend', () => {
    expect(workspaceSelectArgs('staging', { backendOverridden: false })).toEqual(['workspace', 'select', '-or-create=true', '-no-color', 'staging']);
    expect(workspaceSelectArgs('default', { backendOverridden: false })).toBeNull();
    expect(workspaceSelectArgs('staging', { backendOverridden: true })).toBeNull();
    expect(() => workspaceSelectArgs('../x', { backendOverridden: false })).toThrow(/workspace "..\/x" is invalid/);
  });

  it('reads -detailed-exitcode results', () => {
    expect([0, 1, 2, null].map(planOutcome)).toEqual(['no-changes', 'error', 'changes', 'error']);
  });
});
