import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import aws4 from 'aws4';
import jwt from 'jsonwebtoken';

/**
 * Loopback fakes of the cloud identity endpoints Atlantas validates credentials against, each
 * speaking its provider's wire format and checking what the provider checks:
 * - `/aws`: STS (form POST, XML answers). Every request's SigV4 signature is recomputed with aws4
 *   from the secret of its access key id and compared; AssumeRole hands out temporary keys that
 *   are then valid themselves (with their session token).
 * - `/gcp/token`: Google's OAuth token endpoint; the JWT assertion must verify (RS256) with the
 *   service account's public key, `iss` its email and `aud` this very URL.
 * - `/azure/{tenant}/oauth2/v2.0/token`: Azure AD client_credentials.
 * - `/hetzner/v1/servers`, `/do/v2/account`: bearer tokens.
 */
export interface FakeClouds {
  url: string;
  /** what to set ATLANTAS_<PROVIDER>_ENDPOINT to */
  env: Record<string, string>;
  aws: { keys: Map<string, { secret: string; arn: string; sessionToken?: string }>; roles: Map<string, string>; calls: string[] };
  gcp: { accounts: Map<string, string> };
  azure: { apps: Map<string, { secret: string; tenant: string }> };
  hetzner: { tokens: Set<string> };
  digitalocean: { tokens: Map<string, string> };
  close(): Promise<void>;
}

export async function startFakeClouds(): Promise<FakeClouds> {
  let url = '';
  const clouds: Omit<FakeClouds, 'url' | 'env' | 'close'> = {
    aws: { keys: new Map(), roles: new Map(), calls: [] },
    gcp: { accounts: new Map() },
    azure: { apps: new Map() },
    hetzner: { tokens: new Set() },
    digitalocean: { tokens: new Map() },
  };
  let temp = 0;

  const server = createServer(async (req, res) => {
    const body = await read(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, text: string) => res.writeHead(status, { 'content-type': type }).end(text);
    const xml = (status: number, text: string) => send(status, 'text/xml', text);
    const json = (status: number, value: unknown) => send(status, 'application/json', JSON.stringify(value));

    if (path === '/aws' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const auth = String(req.headers.authorization ?? '');
      const keyId = /Credential=([^/]+)\//.exec(auth)?.[1] ?? '';
      const key = clouds.aws.keys.get(keyId);
      if (!key) return xml(403, stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
      if (key.sessionToken && req.headers['x-amz-security-token'] !== key.sessionToken) return xml(403, stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
      // Sign the same request again with the secret on file: the same signature, or a forgery.
      const signedHeaders = (/SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '').split(';');
      const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(req.headers[h] ?? '')]));
      const again = aws4.sign({ host: String(req.headers.host), path: req.url, method: 'POST', body, service: 'sts', region: 'us-east-1', headers }, { accessKeyId: keyId, secretAccessKey: key.secret, sessionToken: key.sessionToken });
      if (again.headers!.Authorization !== auth) {
        return xml(403, stsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'));
      }
      clouds.aws.calls.push(form.get('Action') ?? '');
      if (form.get('Action') === 'GetCallerIdentity') {
        return xml(200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${key.arn}</Arn><UserId>AIDA${keyId}</UserId><Account>${/::(\d{12}):/.exec(key.arn)?.[1] ?? ''}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`);
      }
      if (form.get('Action') === 'AssumeRole') {
        const role = form.get('RoleArn') ?? '';
        if (clouds.aws.roles.get(role) !== key.arn) return xml(403, stsError('AccessDenied', `User: ${key.arn} is not authorized to perform: sts:AssumeRole on resource: ${role}`));
        const id = `ASIATEMP${String(++temp).padStart(8, '0')}`;
        const secret = `temp-secret-${temp}-${Math.random().toString(36).slice(2)}`;
        const sessionToken = `temp-session-${temp}-${Math.random().toString(36).slice(2)}`;
        const assumed = role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + `/${form.get('RoleSessionName')}`;
        clouds.aws.keys.set(id, { secret, arn: assumed, sessionToken });
        return xml(200, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>${id}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${sessionToken}</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${assumed}</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`);
      }
      return xml(400, stsError('InvalidAction', 'unknown action'));
    }

    if (path === '/gcp/token' && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return json(400, { error: 'unsupported_grant_type' });
      const assertion = form.get('assertion') ?? '';
      const claims = jwt.decode(assertion) as { iss?: string } | null;
      const publicKey = claims?.iss ? clouds.gcp.accounts.get(claims.iss) : undefined;
      if (!publicKey) return json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
      try {
        jwt.verify(assertion, publicKey, { algorithms: ['RS256'], audience: `${url}/gcp/token`, issuer: claims!.iss });
      } catch (err) {
        return json(400, { error: 'invalid_grant', error_description: `Invalid JWT: ${(err as Error).message}` });
      }
      return json(200, { access_token: `ya29.fake-${Date.now()}`, expires_in: 3599, token_type: 'Bearer' });
    }

    const azure = /^\/azure\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (azure && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const app = clouds.azure.apps.get(form.get('client_id') ?? '');
      if (form.get('grant_type') !== 'client_credentials' || !form.get('scope')) return json(400, { error: 'invalid_request' });
      if (!app || app.tenant !== decodeURIComponent(azure[1]!) || app.secret !== form.get('client_secret')) {
        return json(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      }
      return json(200, { token_type: 'Bearer', expires_in: 3599, access_token: 'eyJ.fake.azure' });
    }

    const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (path === '/hetzner/v1/servers' && req.method === 'GET') {
      if (!clouds.hetzner.tokens.has(bearer)) return json(401, { error: { code: 'unauthorized', message: 'unable to authenticate' } });
      return json(200, { servers: [], meta: { pagination: { page: 1, per_page: 1, total_entries: 0 } } });
    }
    if (path === '/do/v2/account' && req.method === 'GET') {
      const email = clouds.digitalocean.tokens.get(bearer);
      if (!email) return json(401, { id: 'Unauthorized', message: 'Unable to authenticate you' });
      return json(200, { account: { email, uuid: 'b6fr89dbf6d9156cace5f3c78dc9851d957381ef', status: 'active' } });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...clouds,
    url,
    env: {
      ATLANTAS_AWS_ENDPOINT: `${url}/aws`, ATLANTAS_GCP_ENDPOINT: `${url}/gcp`, ATLANTAS_AZURE_ENDPOINT: `${url}/azure`,
      ATLANTAS_HETZNER_ENDPOINT: `${url}/hetzner`, ATLANTAS_DIGITALOCEAN_ENDPOINT: `${url}/do`,
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function stsError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
