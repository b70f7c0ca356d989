import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { attributeChanges, KNOWN_AFTER_APPLY, SENSITIVE } from '../../../src/core/terraform/plan-attribute-changes.js';

const FIXTURES = new URL('../../fixtures/terraform/', import.meta.url);
const fixture = async (name: string) => readFile(new URL(name, FIXTURES), 'utf8');

describe('attributeChanges (terraform show -json)', () => {
  it('lists only the changed attributes of each resource, with before and after, and unknowns as known after apply', async () => {
    const changes = attributeChanges(await fixture('show-plan-update.json'));
    expect(changes.get('terraform_data.cache')).toEqual(expect.arrayContaining([{ name: 'input', before: 'redis', after: null }]));
    const db = changes.get('terraform_data.db')!;
    expect(db).toEqual(expect.arrayContaining([
      { name: 'triggers_replace', before: ['r1'], after: ['r2'] },
      { name: 'id', before: expect.any(String), after: KNOWN_AFTER_APPLY },
    ]));
    expect(db.map((c) => c.name)).not.toContain('input'); // unchanged: left out
  });

  it('never copies a value terraform marks sensitive, nested or whole', () => {
    const plan = {
      resource_changes: [{
        address: 'x.y',
        change: {
          actions: ['update'],
          before: { password: 'old-secret', tags: { owner: 'me', token: 'tok-old' } },
          after: { password: 'new-secret', tags: { owner: 'you', token: 'tok-new' } },
          after_unknown: {},
          before_sensitive: { password: true, tags: { token: true } },
          after_sensitive: { password: true, tags: { token: true } },
        },
      }],
    };
    const text = JSON.stringify([...attributeChanges(plan)]);
    expect(attributeChanges(plan).get('x.y')).toEqual([
      { name: 'password', before: SENSITIVE, after: SENSITIVE },
      { name: 'tags', before: { owner: 'me', token: SENSITIVE }, after: { owner: 'you', token: SENSITIVE } },
    ]);
    expect(text).not.toMatch(/secret|tok-/);
  });

  it('bounds a huge value', () => {
    const big = 'x'.repeat(50_000);
    const [change] = attributeChanges({ resource_changes: [{ address: 'a.b', change: { before: { v: null }, after: { v: big } } }] }).get('a.b')!;
    expect(String(change!.after)).toMatch(/… \(50002 characters, truncated\)$/);
    expect(String(change!.after).length).toBeLessThan(2100);
  });
});
