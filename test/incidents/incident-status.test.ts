import { describe, expect, it } from 'vitest';
import { allowedNext, assertTransition, INCIDENT_STATUSES, numberOfReference, pathTo, referenceOf } from '../../src/core/incidents/incident-status.js';
import { driftKey, parseSeverityPolicy, severityFor, DEFAULT_SEVERITY_POLICY } from '../../src/core/incidents/incident-signals.js';

describe('the incident state machine (pure)', () => {
  it('has exactly AtlasAI\'s edges', () => {
    expect(Object.fromEntries(INCIDENT_STATUSES.map((s) => [s, allowedNext(s)]))).toEqual({
      triggered: ['open'], open: ['acknowledged'], acknowledged: ['investigating'], investigating: ['resolved'],
      resolved: ['closed', 'reopened'], reopened: ['investigating'], closed: [],
    });
    expect(() => assertTransition('INC-00000001', 'triggered', 'resolved')).toThrow('incident INC-00000001 cannot go from triggered to resolved: allowed next: open');
    expect(() => assertTransition('INC-00000001', 'closed', 'reopened')).toThrow('closed is final; nothing follows it');
  });

  it('walks only those edges to a target, shortest first', () => {
    expect(pathTo('triggered', 'acknowledged')).toEqual(['open', 'acknowledged']);
    expect(pathTo('triggered', 'resolved')).toEqual(['open', 'acknowledged', 'investigating', 'resolved']);
    expect(pathTo('reopened', 'resolved')).toEqual(['investigating', 'resolved']);
    expect(pathTo('investigating', 'acknowledged')).toBeNull();
    expect(pathTo('closed', 'resolved')).toBeNull();
    expect(pathTo('open', 'open')).toEqual([]);
  });

  it('formats and reads references', () => {
    expect(referenceOf(1)).toBe('INC-00000001');
    expect(referenceOf(123456789)).toBe('INC-123456789');
    expect(numberOfReference('inc-00000042')).toBe(42);
    expect(numberOfReference('INC-0')).toBeNull();
    expect(numberOfReference('INC-1; drop table')).toBeNull();
    expect(numberOfReference('INC-99999999999')).toBeNull();
  });

  it('maps criticality to severity, configurably, and says what is wrong with a bad mapping', () => {
    expect(severityFor(DEFAULT_SEVERITY_POLICY, 'critical')).toBe('P1');
    expect(severityFor(DEFAULT_SEVERITY_POLICY, null)).toBe('P3');
    const custom = parseSeverityPolicy('critical=P2, low=P5, default=P4');
    expect(custom).toEqual({ byCriticality: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P5' }, default: 'P4' });
    expect(parseSeverityPolicy('critical=P9')).toMatch(/"critical=P9": expected criticality=severity pairs/);
    expect(parseSeverityPolicy('urgent=P1')).toBe('"urgent" is not a criticality: expected critical, high, medium, low or default');
    expect(driftKey({ projectId: null, repoFullName: 'acme/infra', dir: 'net', projectName: '', workspace: 'prod' })).toBe('drift:acme/infra/net:prod');
  });
});
