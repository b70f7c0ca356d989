import type { CloudProvider } from './cloud-credential.schemas.js';

/**
 * A provider's standard environment for terraform from a credential's secrets, and which of the
 * server's passthrough variables it replaces (the operator's AWS_PROFILE must not mix with a
 * tenant's keys). Pure.
 */

/** Temporary AWS keys (an assumed role's). */
export interface AwsSessionKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Passthrough variables dropped when a credential of the provider is injected. */
export const PROVIDER_ENV_PREFIXES: Record<CloudProvider, readonly string[]> = {
  aws: ['AWS_'],
  gcp: ['GOOGLE_', 'CLOUDSDK_'],
  azure: ['ARM_', 'AZURE_'],
  hetzner: ['HCLOUD_'],
  digitalocean: ['DIGITALOCEAN_'],
};

export function providerEnv(provider: CloudProvider, secrets: Record<string, unknown>, awsKeys?: AwsSessionKeys): Record<string, string> {
  const s = secrets as Record<string, string>;
  switch (provider) {
    case 'aws': {
      const keys = awsKeys ?? { accessKeyId: s.access_key_id!, secretAccessKey: s.secret_access_key!, sessionToken: s.session_token };
      return {
        AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
        ...(s.region ? { AWS_REGION: s.region, AWS_DEFAULT_REGION: s.region } : {}),
      };
    }
    case 'gcp':
      return { GOOGLE_CREDENTIALS: JSON.stringify(secrets) };
    case 'azure':
      return { ARM_CLIENT_ID: s.client_id!, ARM_CLIENT_SECRET: s.client_secret!, ARM_TENANT_ID: s.tenant_id!, ARM_SUBSCRIPTION_ID: s.subscription_id! };
    case 'hetzner':
      return { HCLOUD_TOKEN: s.token! };
    case 'digitalocean':
      return { DIGITALOCEAN_TOKEN: s.token! };
  }
}

/** The server's passthrough env without the variables of `provider`, then the credential's own. */
export function withCredentialEnv(base: Record<string, string>, provider: CloudProvider, env: Record<string, string>): Record<string, string> {
  const prefixes = PROVIDER_ENV_PREFIXES[provider];
  const kept = Object.fromEntries(Object.entries(base).filter(([name]) => !prefixes.some((p) => name.startsWith(p))));
  return { ...kept, ...env };
}

/**
 * Every value a run's output must not show: each injected value but the region, and the private
 * key of a service account as it may also be printed on its own (raw, JSON-escaped, line by line).
 * At least 6 characters, so that redaction never eats ordinary words.
 */
export function secretValues(env: Record<string, string>, secrets: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length >= 6) out.add(v);
  };
  for (const [name, value] of Object.entries(env)) if (!NOT_SECRET_ENV.has(name)) add(value);
  const key = secrets.private_key;
  if (typeof key === 'string') {
    add(key);
    add(JSON.stringify(key).slice(1, -1));
    for (const line of key.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) add(line.trim());
    add(secrets.private_key_id);
  }
  return [...out];
}

const NOT_SECRET_ENV = new Set(['AWS_REGION', 'AWS_DEFAULT_REGION']);
