import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** An account of the test IdP: the claims it vouches for. */
export interface IdpAccount {
  email: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface OidcIdp {
  issuer: string;
  /** registers the relying party (the redirect_uri is known once the Atlantas provider exists) */
  register(client: { clientId: string; clientSecret: string; redirectUri: string }): void;
  /** token requests the IdP answered with an error (e.g. a replayed code) */
  grantErrors: string[];
  close(): Promise<void>;
}

/**
 * A real OpenID provider (the `oidc-provider` package) on loopback, with its development
 * login and consent pages: any login name is accepted and becomes the account id, whose claims
 * come from `accounts`. Tokens are signed with its own keys, so the relying party checks real
 * signatures against the real JWKS.
 */
export async function startOidcIdp(accounts: Record<string, IdpAccount>): Promise<OidcIdp> {
  let handler: ((req: any, res: any) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (!handler) {
      res.statusCode = 503;
      res.end('the test IdP has no client registered yet');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const grantErrors: string[] = [];
  return {
    issuer,
    grantErrors,
    register({ clientId, clientSecret, redirectUri }) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        findAccount: async (_ctx: unknown, id: string) => {
          const account = accounts[id];
          if (!account) return undefined;
          return { accountId: id, claims: async () => ({ sub: id, email_verified: true, ...account }) };
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
        pkce: { required: () => true },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
        cookies: { keys: ['test-idp-cookie-key'] },
        features: { devInteractions: { enabled: true } },
      });
      provider.on('grant.error', (_ctx: unknown, err: { message: string }) => grantErrors.push(err.message));
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
