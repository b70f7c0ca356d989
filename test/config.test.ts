import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/core/errors.js';

describe('loadConfig', () => {
  it('gives the documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(4141);
    expect(c.dataDir).toBe('./.atlantas');
    expect(c.database.url).toBeUndefined();
    expect(c.terraform).toMatchObject({ binary: 'terraform', parallelism: 4 });
    expect(c.http.bodyLimit).toBe(1024 * 1024);
    expect(c.github.apiUrl).toBe('https://api.github.com');
  });

  it('names every bad variable at once and says what it expects', () => {
    let error: unknown;
    try {
      loadConfig({ ATLANTAS_PORT: 'eighty', LOG_LEVEL: 'loud', ATLANTAS_ENCRYPTION_KEY: 'c2hvcnQ=', ATLANTAS_BODY_LIMIT: 'huge', ATLANTAS_METRICS_TOKEN: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/ATLANTAS_PORT: .*number/);
    expect(message).toMatch(/LOG_LEVEL: /);
    expect(message).toMatch(/ATLANTAS_ENCRYPTION_KEY: expected 32 bytes, base64-encoded/);
    expect(message).toMatch(/ATLANTAS_BODY_LIMIT: expected a size/);
    expect(message).toMatch(/ATLANTAS_METRICS_TOKEN: expected at least 16 characters/);
  });

  it('reads the incident severity mapping and reopen window, naming a bad one', () => {
    expect(loadConfig({}).incidents).toEqual({ severity: { byCriticality: { critical: 'P1', high: 'P2', medium: 'P3', low: 'P4' }, default: 'P3' }, reopenWindowMs: 86_400_000 });
    expect(loadConfig({ ATLANTAS_INCIDENT_SEVERITY: 'critical=P2,default=P4', ATLANTAS_INCIDENT_REOPEN_WINDOW: '2h' }).incidents)
      .toEqual({ severity: { byCriticality: { critical: 'P2', high: 'P2', medium: 'P3', low: 'P4' }, default: 'P4' }, reopenWindowMs: 7_200_000 });
    expect(() => loadConfig({ ATLANTAS_INCIDENT_SEVERITY: 'critical=P0' })).toThrow(/ATLANTAS_INCIDENT_SEVERITY: "critical=P0": expected criticality=severity pairs/);
    expect(() => loadConfig({ ATLANTAS_INCIDENT_SEVERITY: 'urgent=P1' })).toThrow(/ATLANTAS_INCIDENT_SEVERITY: "urgent" is not a criticality/);
    expect(() => loadConfig({ ATLANTAS_INCIDENT_REOPEN_WINDOW: 'a day' })).toThrow(/ATLANTAS_INCIDENT_REOPEN_WINDOW: expected a duration/);
  });

  it('reads the optional language model and the RCA window, naming a bad one', () => {
    expect(loadConfig({}).ai).toEqual({ llm: undefined, rcaWindowMs: 86_400_000 });
    expect(loadConfig({ ATLANTAS_LLM_URL: 'https://llm.example.com/v1/', ATLANTAS_LLM_API_KEY: 'sk-x', ATLANTAS_LLM_TIMEOUT: '5s', ATLANTAS_RCA_WINDOW: '6h' }).ai)
      .toEqual({ llm: { url: 'https://llm.example.com/v1', apiKey: 'sk-x', model: 'gpt-4o-mini', timeoutMs: 5000 }, rcaWindowMs: 21_600_000 });
    expect(() => loadConfig({ ATLANTAS_LLM_URL: 'not a url' })).toThrow(/ATLANTAS_LLM_URL: expected the base URL of an OpenAI-compatible API/);
    expect(() => loadConfig({ ATLANTAS_LLM_API_KEY: 'sk-x' })).toThrow(/ATLANTAS_LLM_URL: required with ATLANTAS_LLM_API_KEY/);
    expect(() => loadConfig({ ATLANTAS_LLM_URL: 'https://llm.example.com', ATLANTAS_LLM_TIMEOUT: '10ms' })).toThrow(/ATLANTAS_LLM_TIMEOUT: expected at least 1s/);
    expect(() => loadConfig({ ATLANTAS_RCA_WINDOW: 'forever' })).toThrow(/ATLANTAS_RCA_WINDOW: expected a duration/);
  });

  it('requires an encryption key with an external database, and both admin variables or neither', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x@localhost/db' })).toThrow(/ATLANTAS_ENCRYPTION_KEY: required with DATABASE_URL/);
    expect(() => loadConfig({ ATLANTAS_ADMIN_EMAIL: 'a@b.co' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: expected a postgres:\/\/ connection URL/);
  });

  it('treats empty strings as unset and parses sizes, durations and lists', () => {
    const c = loadConfig({ ATLANTAS_PORT: '', ATLANTAS_BODY_LIMIT: '512kb', ATLANTAS_JWT_TTL: '30m', ATLANTAS_REPO_ALLOWLIST: 'org/a, org/b' });
    expect(c.port).toBe(4141);
    expect(c.http.bodyLimit).toBe(512 * 1024);
    expect(c.auth.jwtTtlMs).toBe(30 * 60_000);
    expect(c.repoAllowlist).toEqual(['org/a', 'org/b']);
  });
});
