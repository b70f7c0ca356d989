import { can, isHuman, mayApplyWithoutApproval, type Actor } from '../actor.js';

/**
 * The `permissions` block of a TFE workspace, from the caller's role (and a token's grants): the
 * terraform CLI reads `can-queue-run` before a remote plan, `can-update`/`can-queue-apply` before a
 * remote apply, and `can-force-delete` to choose safe-delete. Each flag is the Atlantas permission
 * the matching core call checks, so the block never promises what the call would refuse. Pure.
 */
export interface TfeWorkspacePermissions {
  'can-update': boolean;
  'can-destroy': boolean;
  'can-queue-run': boolean;
  'can-queue-apply': boolean;
  'can-queue-destroy': boolean;
  'can-read-state-versions': boolean;
  'can-create-state-versions': boolean;
  'can-read-variable': boolean;
  'can-update-variable': boolean;
  'can-lock': boolean;
  'can-unlock': boolean;
  'can-force-unlock': boolean;
  'can-read-settings': boolean;
  'can-force-delete': boolean;
}

export function workspacePermissions(actor: Actor): TfeWorkspacePermissions {
  const applies = can(actor, 'run:apply') && mayApplyWithoutApproval(actor);
  return {
    'can-update': can(actor, 'project:write'),
    'can-destroy': can(actor, 'state:admin'),
    'can-queue-run': can(actor, 'run:plan'),
    'can-queue-apply': applies,
    'can-queue-destroy': applies,
    'can-read-state-versions': can(actor, 'state:read'),
    'can-create-state-versions': can(actor, 'state:write'),
    'can-read-variable': can(actor, 'project:read'),
    'can-update-variable': can(actor, 'project:write'),
    'can-lock': can(actor, 'state:lock'),
    'can-unlock': can(actor, 'state:lock'),
    'can-force-unlock': isHuman(actor) && can(actor, 'state:admin'),
    'can-read-settings': can(actor, 'project:read'),
    'can-force-delete': can(actor, 'state:admin'),
  };
}
