import aws4 from 'aws4';
import type { AwsSessionKeys } from './provider-env.js';

/**
 * The two AWS STS calls Atlantas makes, signed with SigV4 (aws4): GetCallerIdentity (who these
 * keys are) and AssumeRole (temporary keys of a role, for a run). STS answers XML; the few
 * fields needed are read by name. Errors come back as `StsError` with AWS's code and message.
 */

export class StsError extends Error {
  constructor(readonly status: number, readonly awsCode: string, message: string) {
    super(message);
  }
}

/** Not an answer from STS at all (refused connection, DNS, timeout). */
export class StsUnreachableError extends Error {}

const TIMEOUT_MS = 15_000;

/** The region a SigV4 signature is made for: regional endpoints name theirs, anything else signs for us-east-1. */
export function stsRegion(endpoint: URL): string {
  return /^sts[.-]([a-z]{2}(?:-[a-z]+)+-\d)\./.exec(endpoint.hostname)?.[1] ?? 'us-east-1';
}

async function call(endpoint: string, keys: AwsSessionKeys, params: Record<string, string>): Promise<string> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ ...params, Version: '2011-06-15' }).toString();
  const signed = aws4.sign(
    { host: url.host, path: url.pathname || '/', method: 'POST', service: 'sts', region: stsRegion(url), body, headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } },
    { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey, sessionToken: keys.sessionToken },
  );
  // fetch sets Host and Content-Length itself, to the values signed.
  const headers = Object.fromEntries(Object.entries(signed.headers ?? {}).filter(([k]) => !/^(host|content-length)$/i.test(k)).map(([k, v]) => [k, String(v)]));
  let res: Response;
  try {
    res = await fetch(new URL(url.pathname || '/', url), { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' });
  } catch (err) {
    throw new StsUnreachableError(`could not reach AWS STS at ${url.origin}: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new StsError(res.status, tag(text, 'Code') ?? `HTTP ${res.status}`, tag(text, 'Message') ?? text.slice(0, 200));
  return text;
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? decodeXml(m[1]!) : undefined;
}

function decodeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

export async function getCallerIdentity(endpoint: string, keys: AwsSessionKeys): Promise<{ arn: string; account: string }> {
  const xml = await call(endpoint, keys, { Action: 'GetCallerIdentity' });
  const arn = tag(xml, 'Arn');
  if (!arn) throw new StsError(502, 'InvalidResponse', 'STS answered without an Arn');
  return { arn, account: tag(xml, 'Account') ?? '' };
}

export async function assumeRole(
  endpoint: string, keys: AwsSessionKeys, role: { arn: string; sessionName: string; externalId?: string; durationSeconds: number },
): Promise<AwsSessionKeys & { assumedArn: string }> {
  const xml = await call(endpoint, keys, {
    Action: 'AssumeRole', RoleArn: role.arn, RoleSessionName: role.sessionName, DurationSeconds: String(role.durationSeconds),
    ...(role.externalId ? { ExternalId: role.externalId } : {}),
  });
  const accessKeyId = tag(xml, 'AccessKeyId');
  const secretAccessKey = tag(xml, 'SecretAccessKey');
  if (!accessKeyId || !secretAccessKey) throw new StsError(502, 'InvalidResponse', 'STS answered AssumeRole without credentials');
  return { accessKeyId, secretAccessKey, sessionToken: tag(xml, 'SessionToken'), assumedArn: tag(xml, 'Arn') ?? role.arn };
}
