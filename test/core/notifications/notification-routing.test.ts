import { describe, expect, it } from 'vitest';
import { routeEvent } from '../../../src/core/notifications/notification-routing.js';

describe('routeEvent', () => {
  const project = (slackChannel: string | null, notifyEvents: string[] | null = null) => ({ name: 'network', slackChannel, notifyEvents });

  it('prefers the project\'s channel, then the tenant\'s default, then the server\'s', () => {
    expect(routeEvent('run.errored', project('#net'), '#tenant', '#server')).toEqual({ destination: '#net' });
    expect(routeEvent('run.errored', project(null), '#tenant', '#server')).toEqual({ destination: '#tenant' });
    expect(routeEvent('run.errored', null, null, '#server')).toEqual({ destination: '#server' });
  });

  it('skips with a reason when nothing is configured or the project mutes the kind', () => {
    expect(routeEvent('run.errored', project(null), null, null)).toEqual({ skip: expect.stringContaining('no channel configured') });
    expect(routeEvent('run.applied', project('#net', ['run.errored']), '#tenant', '#server')).toEqual({ skip: 'project network does not notify run.applied' });
    expect(routeEvent('run.applied', project('#net', []), '#tenant', null)).toMatchObject({ skip: expect.any(String) });
  });
});
