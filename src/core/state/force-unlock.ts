import { can, isHuman, type Actor } from '../actor.js';
import { NotAllowedError } from '../errors.js';

/**
 * Force-unlock takes a state lock away from whoever holds it: a crashed laptop, or an apply still
 * writing. The one rule, for terraform's `force-unlock` through the state backend and for
 * `POST /api/v1/states/{id}/unlock` alike: an admin (a token needs the admin scope), and a person,
 * never automation or a run's own credential, which could otherwise break another run's lock.
 */
export function assertMayForceUnlock(actor: Actor): void {
  if (!isHuman(actor)) {
    throw new NotAllowedError('force-unlock is for a person with the admin role, not for automation or a run credential', { code: 'forbidden' });
  }
  if (!can(actor, 'state:admin')) {
    throw new NotAllowedError(
      `force-unlock needs the admin role (this ${actor.kind === 'token' ? 'token acts as' : 'user is'} ${actor.role}); ask an admin, or let the holder unlock with its lock ID`,
      { code: 'forbidden' },
    );
  }
}
