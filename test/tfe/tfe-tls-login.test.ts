import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { makeTerraformDir } from '../harness/terraform.js';
import { cloudConfig, makeTestCa, startTlsFront, type TestCa } from './tfe-harness.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Over TLS, as the CLI needs it for discovery: a test CA (made with openssl) in SSL_CERT_FILE, a
 * TLS front like an ingress, ATLANTAS_URL=https://localhost:<port>. `terraform login` goes
 * through login.v1 (the browser step driven by an HTTP client) and the token it stores works
 * for a cloud block with `hostname = "localhost:<port>"`.
 */
describe('terraform over TLS: discovery, terraform login, a cloud block', () => {
  let app: TestApp;
  let ca: TestCa;
  let front: { port: number; close(): Promise<void> };
  let host: string;

  beforeAll(async () => {
    ca = await makeTestCa();
    let target = '';
    front = await startTlsFront(ca, () => target);
    host = `localhost:${front.port}`;
    app = await startTestApp({ env: { ATLANTAS_URL: `https://${host}` } });
    target = app.url;
  });
  afterAll(async () => {
    await front?.close();
    await app?.close();
    await ca?.cleanup();
  });

  function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    return call(url, 'GET', headers);
  }

  function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    const client = url.startsWith('https:') ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method, headers, ...(url.startsWith('https:') ? { ca: ca.caPem } : {}) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('serves the discovery document and the ping headers the CLI reads', async () => {
    const res = await get(`https://${host}/.well-known/terraform.json`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({
      'tfe.v2': `https://${host}/api/v2/`, 'tfe.v2.1': `https://${host}/api/v2/`, 'tfe.v2.2': `https://${host}/api/v2/`, 'state.v2': `https://${host}/api/v2/`,
      'login.v1': { client: 'terraform-cli', grant_types: ['authz_code'], authz: `https://${host}/oauth/authorize`, token: `https://${host}/oauth/token`, ports: [10000, 10010] },
      'modules.v1': `https://${host}/api/v2/registry/modules/`, 'providers.v1': `https://${host}/api/v2/registry/providers/`,
    });
    const ping = await app.req('GET', '/api/v2/ping');
    expect(ping.headers.get('tfp-api-version')).toBe('2.6');
    expect(ping.headers.get('tfp-appname')).toBe('Atlantas');
    expect(ping.headers.get('x-tfe-version')).toMatch(/^v\d{6}-\d+$/);
  });

  it('completes terraform login through the sign-in page; the stored token runs a cloud block', async () => {
    const user = await app.factories.user({ role: 'member' });
    const wd = await makeTerraformDir({ SSL_CERT_FILE: ca.caFile });
    onTestFinished(() => wd.cleanup());
    // As on a workstation: the CLI config is ~/.terraformrc (the same empty file), so terraform also
    // reads ~/.terraform.d/credentials.tfrc.json, where login stores the token (TF_CLI_CONFIG_FILE turns that off).
    delete wd.env.TF_CLI_CONFIG_FILE;
    await mkdir(path.join(wd.dir, '.terraform.d')); // terraform writes its credentials file there but does not create the directory

    const login = spawnLogin(host, wd.dir, wd.env);
    onTestFinished(() => {
      if (login.child.exitCode === null) login.child.kill('SIGKILL');
    });
    const authorizeUrl = await login.url;
    expect(authorizeUrl.startsWith(`https://${host}/oauth/authorize?`)).toBe(true);

    // The browser: the page, a wrong password (stays on the page), then the right one.
    const page = await get(authorizeUrl);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<form method="post" action="/oauth/authorize">');
    const hidden = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], decodeEntities(m[2])]));
    expect(Object.keys(hidden).sort()).toEqual(['client_id', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'response_type', 'state']);
    const form = (password: string) => new URLSearchParams({ ...hidden, email: user.email, password }).toString();
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
    const wrong = await call(`https://${host}/oauth/authorize`, 'POST', formHeaders, form('not-the-password'));
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('invalid email or password');
    expect(wrong.headers.location).toBeUndefined();

    const signedIn = await call(`https://${host}/oauth/authorize`, 'POST', formHeaders, form('a-long-test-password'));
    expect(signedIn.status).toBe(302);
    const callback = new URL(signedIn.headers.location!);
    expect(`${callback.origin}${callback.pathname}`).toBe(hidden.redirect_uri);
    expect(callback.searchParams.get('state')).toBe(hidden.state);
    const returned = await get(callback.toString()); // terraform's own callback server
    expect(returned.status).toBe(200);

    const result = await login.done;
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Terraform has obtained and saved an API token');
    const saved = JSON.parse(await readFile(path.join(wd.dir, '.terraform.d', 'credentials.tfrc.json'), 'utf8'));
    const token: string = saved.credentials[host].token;
    expect(token).toMatch(/^atl_/);

    // The code was used once; a replay is refused.
    const replay = await app.req('POST', '/oauth/token', {
      rawBody: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: hidden.redirect_uri, code_verifier: 'x', client_id: 'terraform-cli' }).toString(),
      headers: formHeaders,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');

    const me = await app.req('GET', '/api/v2/account/details', { token });
    expect(me.body.data).toMatchObject({ type: 'users', attributes: { username: user.email, email: user.email } });

    // A cloud block at https://localhost:<port> with the token terraform login stored (no credentials block).
    const name = `tls-${randomBytes(4).toString('hex')}`;
    await wd.write(cloudConfig({ hostname: host, organization: 'default', workspace: name }));
    const init = await wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    const apply = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=tls']);
    expect(apply.code, apply.output).toBe(0);
    expect((await wd.run(['output', '-raw', 'marker'])).stdout).toBe('tls');

    // Without the test CA the CLI refuses the certificate at discovery.
    const untrusted = await wd.run(['plan', '-input=false', '-var', 'marker=x'], { SSL_CERT_FILE: path.join(wd.dir, 'none.pem') });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.output).toMatch(/certificate|x509/);
  });

  it('refuses a login request whose callback is not terraform\'s, and a form without the request', async () => {
    const bad = await app.req('GET', `/oauth/authorize?${new URLSearchParams({
      client_id: 'terraform-cli', response_type: 'code', redirect_uri: 'https://evil.example/login', state: 's',
      code_challenge: 'a'.repeat(43), code_challenge_method: 'S256',
    })}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('redirect_uri must be terraform&#39;s callback');
    const noPkce = await app.req('GET', `/oauth/authorize?${new URLSearchParams({ client_id: 'terraform-cli', redirect_uri: 'http://localhost:10001/login', state: 's' })}`);
    expect(noPkce.status).toBe(400);
    expect(noPkce.text).toContain('code_challenge_method must be S256');
  });
});

/** `terraform login <host>` answering "yes", resolving the URL it prints and its exit. */
function spawnLogin(hostname: string, cwd: string, env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string>; done: Promise<{ code: number | null; output: string }> } {
  const binary = process.env.ATLANTAS_TF_BINARY || 'terraform';
  const child = spawn(binary, ['login', hostname], { cwd, env: { ...env, CHECKPOINT_DISABLE: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let resolveUrl!: (u: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const onData = (d: Buffer) => {
    output += d;
    const m = /\n\s{4}(https:\/\/\S+)\n/.exec(output);
    if (m) resolveUrl(m[1]);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.stdin!.end('yes\n');
  const done = new Promise<{ code: number | null; output: string }>((resolve) => child.on('close', (code) => {
    resolveUrl('');
    resolve({ code, output });
  }));
  return { child, url, done };
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}
