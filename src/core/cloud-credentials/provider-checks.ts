import jwt from 'jsonwebtoken';
import { UnavailableError } from '../errors.js';
import { assumeRole, getCallerIdentity, StsError, StsUnreachableError } from './aws-sts.js';
import type { CloudProvider } from './cloud-credential.schemas.js';
import type { AwsSessionKeys } from './provider-env.js';

/**
 * Asks each provider's identity endpoint whether a credential works: AWS STS GetCallerIdentity
 * (SigV4; an assume_role credential assumes its role first), Google's OAuth token endpoint with
 * a JWT assertion signed by the service account's key, Azure AD's token endpoint
 * (client_credentials), Hetzner `GET /v1/servers?per_page=1`, DigitalOcean `GET /v2/account`.
 * The base URLs are the operator's (ATLANTAS_<PROVIDER>_ENDPOINT), never a tenant's: a key file's
 * own `token_uri` is not followed.
 */

export interface ProviderEndpoints {
  aws: string;
  gcp: string;
  azure: string;
  hetzner: string;
  digitalocean: string;
}

export const DEFAULT_PROVIDER_ENDPOINTS: ProviderEndpoints = {
  aws: 'https://sts.amazonaws.com',
  gcp: 'https://oauth2.googleapis.com',
  azure: 'https://login.microsoftonline.com',
  hetzner: 'https://api.hetzner.cloud',
  digitalocean: 'https://api.digitalocean.com',
};

export interface CheckResult {
  valid: boolean;
  message: string;
  identity: string | null;
}

const TIMEOUT_MS = 15_000;
/** An assumed role's keys last this long: at least a run's timeout would be better, but 1 h is what a role allows by default. */
export const ASSUMED_ROLE_SECONDS = 3600;

type S = Record<string, string>;

export class ProviderChecks {
  constructor(private readonly endpoints: ProviderEndpoints) {}

  async check(provider: CloudProvider, type: string, secrets: Record<string, unknown>): Promise<CheckResult> {
    const s = secrets as S;
    switch (provider) {
      case 'aws': return this.aws(type, s);
      case 'gcp': return this.gcp(secrets);
      case 'azure': return this.azure(s);
      case 'hetzner': return this.bearer('Hetzner', `${base(this.endpoints.hetzner)}/v1/servers?per_page=1`, s.token!, (b) => `token accepted; ${b?.meta?.pagination?.total_entries ?? 'some'} server(s) visible`, () => null);
      case 'digitalocean': return this.bearer('DigitalOcean', `${base(this.endpoints.digitalocean)}/v2/account`, s.token!, (b) => `token accepted for account ${b?.account?.email ?? b?.account?.uuid ?? '?'}`, (b) => b?.account?.email ?? b?.account?.uuid ?? null);
    }
  }

  /** Temporary keys of an assume_role credential's role, for one run. */
  async assumedKeys(secrets: Record<string, unknown>, sessionName: string): Promise<AwsSessionKeys> {
    const s = secrets as S;
    try {
      return await assumeRole(this.endpoints.aws, baseKeys(s), { arn: s.role_arn!, sessionName: s.session_name ?? sessionName, externalId: s.external_id, durationSeconds: ASSUMED_ROLE_SECONDS });
    } catch (err) {
      if (err instanceof StsError) throw new UnavailableError(`AWS refused to assume role ${s.role_arn}: ${err.awsCode}: ${err.message}`, { code: 'cloud_credential_invalid' });
      if (err instanceof StsUnreachableError) throw new UnavailableError(err.message, { code: 'provider_unreachable' });
      throw err;
    }
  }

  private async aws(type: string, s: S): Promise<CheckResult> {
    try {
      let keys = baseKeys(s);
      if (type === 'assume_role') keys = await assumeRole(this.endpoints.aws, keys, { arn: s.role_arn!, sessionName: s.session_name ?? 'atlantas-validate', externalId: s.external_id, durationSeconds: 900 });
      const who = await getCallerIdentity(this.endpoints.aws, keys);
      return { valid: true, message: `AWS STS: ${who.arn} (account ${who.account})`, identity: who.arn };
    } catch (err) {
      if (err instanceof StsError) return { valid: false, message: `AWS STS refused: ${err.awsCode}: ${err.message}`, identity: null };
      if (err instanceof StsUnreachableError) throw new UnavailableError(err.message, { code: 'provider_unreachable' });
      throw err;
    }
  }

  private async gcp(secrets: Record<string, unknown>): Promise<CheckResult> {
    const { client_email: email, private_key: key, private_key_id: kid } = secrets as S;
    const tokenUrl = `${base(this.endpoints.gcp)}/token`;
    let assertion: string;
    try {
      assertion = jwt.sign({ scope: 'https://www.googleapis.com/auth/cloud-platform' }, key!, {
        algorithm: 'RS256', issuer: email, audience: tokenUrl, expiresIn: 3600, ...(kid ? { keyid: kid } : {}),
      });
    } catch (err) {
      return { valid: false, message: `the service account's private_key cannot sign: ${(err as Error).message}`, identity: null };
    }
    const res = await post('Google', tokenUrl, new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }));
    if (res.ok && res.body?.access_token) return { valid: true, message: `Google issued an access token to ${email}`, identity: email ?? null };
    return { valid: false, message: `Google refused: ${oauthError(res)}`, identity: null };
  }

  private async azure(s: S): Promise<CheckResult> {
    const url = `${base(this.endpoints.azure)}/${encodeURIComponent(s.tenant_id!)}/oauth2/v2.0/token`;
    const res = await post('Azure AD', url, new URLSearchParams({
      grant_type: 'client_credentials', client_id: s.client_id!, client_secret: s.client_secret!, scope: 'https://management.azure.com/.default',
    }));
    if (res.ok && res.body?.access_token) return { valid: true, message: `Azure AD issued a token to application ${s.client_id} in tenant ${s.tenant_id}`, identity: s.client_id! };
    return { valid: false, message: `Azure AD refused: ${oauthError(res)}`, identity: null };
  }

  private async bearer(what: string, url: string, token: string, ok: (body: any) => string, identity: (body: any) => string | null): Promise<CheckResult> {
    const res = await send(what, url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    if (res.ok) return { valid: true, message: `${what}: ${ok(res.body)}`, identity: identity(res.body) };
    const detail = res.body?.error?.message ?? res.body?.message ?? `HTTP ${res.status}`;
    return { valid: false, message: `${what} refused the token: ${detail}`, identity: null };
  }
}

function baseKeys(s: S): AwsSessionKeys {
  return { accessKeyId: s.access_key_id!, secretAccessKey: s.secret_access_key!, sessionToken: s.session_token };
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

interface Answer { ok: boolean; status: number; body: any }

function post(what: string, url: string, form: URLSearchParams): Promise<Answer> {
  return send(what, url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() });
}

async function send(what: string, url: string, init: RequestInit): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (err) {
    throw new UnavailableError(`could not reach ${what} at ${new URL(url).origin}: ${(err as Error).message}`, { code: 'provider_unreachable' });
  }
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  return { ok: res.ok, status: res.status, body };
}

function oauthError(res: Answer): string {
  const { error, error_description: description } = res.body ?? {};
  return [error, description].filter(Boolean).join(': ') || `HTTP ${res.status}`;
}
