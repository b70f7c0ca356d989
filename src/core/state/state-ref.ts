import { InputError } from '../errors.js';
import { workspaceProblem } from '../projects/paths.js';

/** Where a state lives inside a tenant: `/api/v1/tfstate/{name}/{workspace}`. */
export interface StateRef {
  name: string;
  workspace: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** Validates a state name and workspace (already URL-decoded); InputError names what to fix. */
export function parseStateRef(name: string, workspace: string): StateRef {
  if (!NAME.test(name)) {
    throw new InputError(
      `state name "${truncate(name)}" is invalid: use 1-200 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      { code: 'invalid_state_name' },
    );
  }
  const problem = workspace.length > 200 ? 'is longer than 200 characters' : workspaceProblem(workspace);
  if (problem) throw new InputError(`workspace "${truncate(workspace)}" is invalid: it ${problem}`, { code: 'invalid_workspace' });
  return { name, workspace };
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
