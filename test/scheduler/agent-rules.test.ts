import { describe, expect, it } from 'vitest';
import { cronProblem, frequencyProblem, latestDueSlot } from '../../src/core/agents/agent-schedule.js';
import { applyEdits, bumpConstraint, constraintSites, latestRelease } from '../../src/core/agents/terraform-constraints.js';

/** The pure rules under the agents: when a schedule is due, and how a version constraint is raised. */
describe('agent schedules', () => {
  const at = (iso: string) => new Date(iso);

  it('finds the latest slot after the anchor, none before the first, in the agent\'s zone', () => {
    expect(latestDueSlot('*/15 * * * *', 'UTC', at('2026-12-03T10:00:00Z'), at('2026-12-03T10:14:59Z'))).toBeNull();
    expect(latestDueSlot('*/15 * * * *', 'UTC', at('2026-12-03T10:00:00Z'), at('2026-12-03T10:15:00Z'))).toEqual(at('2026-12-03T10:15:00Z'));
    // hours missed: one slot, the latest
    expect(latestDueSlot('*/15 * * * *', 'UTC', at('2026-12-03T10:00:00Z'), at('2026-12-03T13:52:10Z'))).toEqual(at('2026-12-03T13:45:00Z'));
    // the anchor itself is done
    expect(latestDueSlot('0 * * * *', 'UTC', at('2026-12-03T10:00:00Z'), at('2026-12-03T10:30:00Z'))).toBeNull();
    // 09:00 in Paris is 08:00 UTC in winter
    expect(latestDueSlot('0 9 * * *', 'Europe/Paris', at('2026-12-03T00:00:00Z'), at('2026-12-03T12:00:00Z'))).toEqual(at('2026-12-03T08:00:00Z'));
    // seconds field
    expect(latestDueSlot('*/10 * * * * *', 'UTC', at('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:25Z'))).toEqual(at('2026-12-03T10:00:20Z'));
  });

  it('names the expression and the field that is wrong', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('0 25 * * *')).toMatch(/^"0 25 \* \* \*" is not a valid cron expression \(hour: /);
    expect(cronProblem('every 5 minutes')).toContain('"every 5 minutes"');
    expect(cronProblem('* * * * * *')).toBeNull(); // valid node-cron…
    expect(frequencyProblem('* * * * * *')).toMatch(/^"\* \* \* \* \* \*" runs 60 times a minute; agents run at most once a minute/); // …but too often for an agent
    expect(frequencyProblem('0,30 * * * * *')).toContain('runs 2 times a minute');
    expect(frequencyProblem('0 * * * * *')).toBeNull();
    expect(frequencyProblem('* * * * *')).toBeNull();
  });
});

describe('version constraints', () => {
  it('keeps the operator and precision, never downgrades, leaves lower bounds and compound constraints alone', () => {
    expect(bumpConstraint('~> 4.0', '5.31.0')).toBe('~> 5.31');
    expect(bumpConstraint('~> 5.0', '5.31.0')).toBeNull();
    expect(bumpConstraint('~> 1.5.0', '1.11.4')).toBe('~> 1.11.4');
    expect(bumpConstraint('~> 1.11.0', '1.11.4')).toBeNull();
    expect(bumpConstraint('= 1.9.0', '1.11.4')).toBe('= 1.11.4');
    expect(bumpConstraint('1.9.0', '1.11.4')).toBe('1.11.4');
    expect(bumpConstraint('= 2.0.0', '1.11.4')).toBeNull();
    expect(bumpConstraint('>= 1.0', '1.11.4')).toBeNull();
    expect(bumpConstraint('>= 1.0, < 2.0', '2.1.0')).toBeNull();
  });

  it('picks the latest release, pre-releases left out', () => {
    expect(latestRelease(['5.30.0', '5.31.0', '6.0.0-beta1', '5.9.9'])).toBe('5.31.0');
    expect(latestRelease(['1.0.0-rc1'])).toBeNull();
  });

  it('edits only the quoted constraints of terraform and required_providers', () => {
    const text = 'terraform {\n  required_version = ">= 1.0"\n  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n      version = "~> 4.0"\n    }\n    null = { version = "3.1.0" }\n  }\n}\n';
    const sites = constraintSites(text);
    expect(sites.map((s) => [s.name, s.source, s.constraint])).toEqual([['terraform', 'terraform', '>= 1.0'], ['aws', 'hashicorp/aws', '~> 4.0'], ['null', 'hashicorp/null', '3.1.0']]);
    const edited = applyEdits(text, [{ start: sites[1].start, end: sites[1].end, value: '~> 5.31' }]);
    expect(edited).toBe(text.replace('"~> 4.0"', '"~> 5.31"'));
  });
});
