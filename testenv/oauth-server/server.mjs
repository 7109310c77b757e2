// mailprobe's test authorization server: panva's oidc-provider (an OAuth 2.0 / OpenID Connect
// server written by someone else, installed from npm by `scripts/testenv install`), configured
// for loopback use by the test environment. Test-only: development interactions (any login and
// password sign in), in-memory storage, plain HTTP on 127.0.0.1 — and, with --tls-port, a second
// issuer https://127.0.0.1:TLS_PORT (same clients and signing key, its own storage) behind the
// test CA's certificate, for clients that must trust a private CA.
//
//   node server.mjs --port PORT --state DIR [--access-ttl SECS] [--short-ttl SECS] [--pidfile F]
//                   [--tls-port PORT --tls-cert PEM --tls-key PEM] [--app-mailbox ADDR]
//
// DIR keeps the signing key across restarts (jwks.json) and the public key as PEM for Dovecot's
// local JWT validation (dovecot-keys/…/RS256/KID). Prints "ready ISSUER" once listening.
//
// Two resource servers, chosen from the scopes asked for (as Google and Microsoft do, without a
// `resource` parameter):
//   https://mail.google.com/      opaque access tokens, checked by token introspection (Google's
//                                 access tokens are opaque too)
//   https://outlook.office.com    JWT access tokens (like Microsoft's), scopes
//                                 https://outlook.office.com/SMTP.Send and …/IMAP.AccessAsUser.All
// and a third that is no mail server's, for tokens with the wrong audience:
//   https://graph.microsoft.com   JWT access tokens like Microsoft Graph's, scopes
//                                 https://graph.microsoft.com/Mail.Send and …/User.Read
// and, for app-only sign-in (the client-credentials grant, as Microsoft 365's SMTP.SendAsApp
// apps use it), the scope https://outlook.office365.com/.default: JWT access tokens with the
// role SMTP.SendAsApp, for the mailbox given with --app-mailbox (see extraTokenClaims).
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string' },
    state: { type: 'string' },
    'access-ttl': { type: 'string', default: '600' },
    'short-ttl': { type: 'string', default: '3' },
    'introspection-secret': { type: 'string', default: 'dovecot-introspection-secret' },
    pidfile: { type: 'string' },
    'tls-port': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'app-mailbox': { type: 'string', default: 'alice@example.test' },
  },
});
if (!opt.port || !opt.state) {
  console.error('usage: node server.mjs --port PORT --state DIR [--access-ttl SECS] [--short-ttl SECS]');
  process.exit(2);
}
const PORT = Number(opt.port);
const ACCESS_TTL = Number(opt['access-ttl']);
const SHORT_TTL = Number(opt['short-ttl']);
const ISSUER = `http://127.0.0.1:${PORT}`;

export const GOOGLE_MAIL = 'https://mail.google.com/';
export const OUTLOOK = 'https://outlook.office.com';
const OUTLOOK_SCOPES = [`${OUTLOOK}/SMTP.Send`, `${OUTLOOK}/IMAP.AccessAsUser.All`];
export const GRAPH = 'https://graph.microsoft.com';
const GRAPH_SCOPES = [`${GRAPH}/Mail.Send`, `${GRAPH}/User.Read`];
// the resources whose tokens are Microsoft-style JWTs: their scopes without the prefix in scp
const MICROSOFT = { [OUTLOOK]: OUTLOOK_SCOPES, [GRAPH]: GRAPH_SCOPES };
// app-only tokens (client credentials): Exchange Online's resource and its only scope
export const OFFICE365 = 'https://outlook.office365.com';
const OFFICE365_DEFAULT = `${OFFICE365}/.default`;
// the confidential client of the client-credentials grant; its secret is a canary
export const APP_CLIENT = 'mailprobe-app';
export const APP_SECRET = 'Canary-AppSecret-8d41b6e2';

// ---------------------------------------------------------------- signing key

function signingKey(dir) {
  const file = path.join(dir, 'jwks.json');
  let jwk;
  if (fs.existsSync(file)) {
    [jwk] = JSON.parse(fs.readFileSync(file, 'utf8')).keys;
  } else {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'mailprobe-test-rs256', alg: 'RS256', use: 'sig' };
    fs.writeFileSync(file, JSON.stringify({ keys: [jwk] }), { mode: 0o600 });
  }
  // Dovecot looks a JWT's key up as shared/<azp or "default">/<alg>/<kid> in its key dict
  const pem = crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  for (const sub of ['', 'shared']) {
    const d = path.join(dir, 'dovecot-keys', sub, 'default', 'RS256');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, jwk.kid), pem);
  }
  return jwk;
}

fs.mkdirSync(opt.state, { recursive: true });
const jwk = signingKey(opt.state);

// ---------------------------------------------------------------- clients

const clients = [
  {
    // the installed-app flow (Google style): loopback redirect on any port, PKCE, no secret
    client_id: 'mailprobe-installed',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/callback', 'http://localhost/callback'],
  },
  {
    // the device authorization grant (Microsoft style)
    client_id: 'mailprobe-device',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // like mailprobe-installed, but its access tokens live --short-ttl seconds (expiry tests)
    client_id: 'mailprobe-short',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/callback', 'http://localhost/callback'],
  },
  {
    // a confidential installed-app client (its secret is a canary the hygiene test looks for)
    client_id: 'mailprobe-confidential',
    client_secret: 'Canary-ClientSecret-5c1e7d20',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/callback', 'http://localhost/callback'],
  },
  {
    // an app signing in as itself (client credentials, client_secret_post), like a Microsoft
    // 365 app registration with SMTP.SendAsApp: no user, no redirect
    client_id: APP_CLIENT,
    client_secret: APP_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Dovecot's passdb oauth2 authenticates with this client at the introspection endpoint
    client_id: 'dovecot',
    client_secret: opt['introspection-secret'],
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
];

// ---------------------------------------------------------------- resource servers

function accessTtl(client) {
  return client?.clientId === 'mailprobe-short' ? SHORT_TTL : ACCESS_TTL;
}

function resourceFor(scope) {
  const words = String(scope || '').split(/\s+/u);
  if (words.includes(OFFICE365_DEFAULT)) return OFFICE365;
  if (words.some((w) => w.startsWith(`${OUTLOOK}/`))) return `${OUTLOOK}`;
  if (words.some((w) => w.startsWith(`${GRAPH}/`))) return GRAPH;
  if (words.includes(GOOGLE_MAIL)) return GOOGLE_MAIL;
  return undefined;
}

// a fresh configuration for each issuer (oidc-provider keeps state in what it is given)
const makeConfiguration = () => ({
  clients: structuredClone(clients),
  jwks: { keys: [structuredClone(jwk)] },
  // accounts are mail addresses: the subject is the address, as Dovecot's username
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: sub, email_verified: true, preferred_username: sub };
      },
    };
  },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  scopes: ['openid', 'offline_access', 'email', 'profile'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: {
      enabled: true,
      // only Dovecot may introspect
      allowedPolicy: async (_ctx, client) => client.clientId === 'dovecot',
    },
    resourceIndicators: {
      enabled: true,
      async defaultResource(ctx, _client, oneOf) {
        if (oneOf) return oneOf;
        return resourceFor(ctx.oidc.params?.scope);
      },
      async useGrantedResource() {
        return true;
      },
      async getResourceServerInfo(_ctx, resource, client) {
        if (resource === GOOGLE_MAIL) {
          return {
            scope: GOOGLE_MAIL,
            audience: GOOGLE_MAIL,
            accessTokenTTL: accessTtl(client),
            accessTokenFormat: 'opaque',
          };
        }
        if (resource.replace(/\/$/u, '') === OFFICE365) {
          return {
            scope: OFFICE365_DEFAULT,
            audience: OFFICE365,
            accessTokenTTL: ACCESS_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        const microsoft = resource.replace(/\/$/u, '');
        if (MICROSOFT[microsoft]) {
          return {
            scope: MICROSOFT[microsoft].join(' '),
            audience: microsoft,
            accessTokenTTL: accessTtl(client),
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        throw new Provider.errors.InvalidTarget();
      },
    },
  },
  // Who the token is for, as Dovecot reads it (`email`, from the JWT or from introspection), and
  // Microsoft-style claims in JWT access tokens: the user (upn), scopes (scp), tenant (tid)
  async extraTokenClaims(_ctx, token) {
    if (token.kind === 'ClientCredentials') {
      // Microsoft's app-only tokens carry the app (appid, roles), not a mailbox: Exchange checks
      // the XOAUTH2 user against the app's mailbox permissions. Dovecot has no such check, it
      // takes the user from the token: so the token names the one mailbox this app may send as.
      return {
        email: opt['app-mailbox'],
        roles: ['SMTP.SendAsApp'],
        appid: token.clientId,
        tid: 'mailprobe-test-tenant',
      };
    }
    if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
    const audience = token.resourceServer?.audience;
    if (!MICROSOFT[audience]) return { email: token.accountId };
    const scp = String(token.scope || '')
      .split(' ')
      .filter((s) => s.startsWith(`${audience}/`))
      .map((s) => s.slice(audience.length + 1))
      .join(' ');
    return { upn: token.accountId, email: token.accountId, scp, tid: 'mailprobe-test-tenant' };
  },
  formats: {
    customizers: {
      // Microsoft's access tokens say typ "JWT" (RFC 9068's "at+jwt" is what oidc-provider
      // would use, and Dovecot 2.3 accepts only "JWT") and carry nbf
      async jwt(_ctx, _token, jwt) {
        jwt.header = { ...(jwt.header || {}), typ: 'JWT' };
        if (jwt.payload.iat && !jwt.payload.nbf) jwt.payload.nbf = jwt.payload.iat;
      },
    },
  },
  async issueRefreshToken(_ctx, client, code) {
    return client.grantTypeAllowed('refresh_token') && (code.scopes.has('offline_access') || code.kind === 'DeviceCode');
  },
  ttl: {
    AccessToken: (_ctx, _token, client) => accessTtl(client),
    RefreshToken: 3600,
    AuthorizationCode: 120,
    DeviceCode: 300,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
  },
  cookies: { keys: ['mailprobe-testenv-cookie-key'] },
  // loopback HTTP: no need for secure cookies or HTTPS redirects
  renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

function makeProvider(issuer) {
  const provider = new Provider(issuer, makeConfiguration());
  // JWT access tokens are self-contained: oidc-provider refuses to introspect them (400
  // unsupported_token_type). Dovecot checks them itself first; when that fails it asks the
  // introspection endpoint too, which then says what RFC 7662 says for a token it will not
  // vouch for: inactive (so Dovecot reports a rejected token, not a server error)
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token/introspection' && ctx.status === 400 && ctx.body?.error === 'unsupported_token_type') {
      ctx.status = 200;
      ctx.body = { active: false };
    }
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  return provider;
}

const listening = [];
const servers = [];
const provider = makeProvider(ISSUER);
listening.push(new Promise((resolve) => servers.push(provider.listen(PORT, '127.0.0.1', resolve))));
if (opt['tls-port']) {
  const tlsIssuer = `https://127.0.0.1:${opt['tls-port']}`;
  const tlsProvider = makeProvider(tlsIssuer);
  const options = { cert: fs.readFileSync(opt['tls-cert']), key: fs.readFileSync(opt['tls-key']) };
  const server = https.createServer(options, tlsProvider.callback());
  servers.push(server);
  listening.push(new Promise((resolve) => server.listen(Number(opt['tls-port']), '127.0.0.1', resolve)));
}
await Promise.all(listening);
if (opt.pidfile) fs.writeFileSync(opt.pidfile, `${process.pid}\n`);
console.log(`ready ${ISSUER}`);
const stop = () => {
  let open = servers.length;
  for (const s of servers) s.close(() => { open -= 1; if (open === 0) process.exit(0); });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
