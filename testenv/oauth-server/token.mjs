// Plays the person at the browser against the test authorization server (server.mjs): signs in
// through its development login form and consents, with plain HTTP requests and a cookie jar.
//
//   node token.mjs token   --issuer URL --user ADDR [--client ID] [--scope S] [--revoke access|refresh]
//       runs the authorization code flow with PKCE and prints the token response as JSON
//       (with --revoke, revokes that token at the revocation endpoint before printing)
//   node token.mjs approve --user ADDR --url AUTHORIZATION_URL [--deliver]
//       signs in and consents for an authorization URL a client printed; prints the redirect
//       (back to the client's loopback listener) and, with --deliver, makes that request
//   node token.mjs device  --issuer URL --user ADDR --code USER_CODE
//       enters a device flow's user code, signs in and consents
//
// Test-only helper: it prints tokens, and is never used outside the tests.
import * as crypto from 'node:crypto';
import { parseArgs } from 'node:util';

const { positionals, values: opt } = parseArgs({
  allowPositionals: true,
  options: {
    issuer: { type: 'string' },
    user: { type: 'string' },
    client: { type: 'string', default: 'mailprobe-installed' },
    secret: { type: 'string' },
    scope: { type: 'string', default: 'openid email offline_access https://mail.google.com/' },
    revoke: { type: 'string' },
    url: { type: 'string' },
    code: { type: 'string' },
    deliver: { type: 'boolean', default: false },
  },
});

const jar = new Map();

async function request(url, init = {}) {
  const headers = { ...(init.headers || {}) };
  if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    const name = pair.slice(0, i).trim();
    const value = pair.slice(i + 1).trim();
    if (/expires=Thu, 01 Jan 1970/iu.test(c) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return res;
}

function fail(msg) {
  console.error(`token.mjs: ${msg}`);
  process.exit(1);
}

function formAction(html, base) {
  const m = /<form[^>]*action="([^"]+)"/u.exec(html);
  return m ? new URL(m[1].replaceAll('&amp;', '&'), base).href : undefined;
}

function hiddenInputs(html) {
  const out = {};
  for (const m of html.matchAll(/<input[^>]*>/gu)) {
    const name = /name="([^"]+)"/u.exec(m[0]);
    const value = /value="([^"]*)"/u.exec(m[0]);
    if (name) out[name[1]] = value ? value[1] : '';
  }
  return out;
}

const post = (url, fields) => request(url, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

// Follows redirects on the server, answering its login and consent pages, until a redirect
// leaves the server (to the client's redirect URI) or the device flow says it is done.
async function drive(startUrl, user, issuer) {
  let res = await request(startUrl);
  for (let i = 0; i < 20; i += 1) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), startUrl).href;
      if (!next.startsWith(issuer)) return next;
      res = await request(next);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) fail(`HTTP ${res.status} at ${res.url || startUrl}: ${html.slice(0, 300)}`);
    const action = formAction(html, issuer);
    if (html.includes('name="login"')) {
      res = await post(action, { ...hiddenInputs(html), login: user, password: 'any-password' });
    } else if (html.includes('name="prompt" value="consent"')) {
      res = await post(action, hiddenInputs(html));
    } else if (/Sign-in Success|successfully|signed in/iu.test(html)) {
      return 'done';
    } else if (action && /method="post"/iu.test(html)) {
      // the device flow's code entry, confirmation and self-submitting callback forms
      res = await post(action, hiddenInputs(html));
    } else {
      fail(`unexpected page: ${html.replace(/\s+/gu, ' ').slice(0, 400)}`);
    }
  }
  return fail('too many steps');
}

async function discovery(issuer) {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  return res.json();
}

const b64url = (buf) => buf.toString('base64url');

async function token() {
  const meta = await discovery(opt.issuer);
  const verifier = b64url(crypto.randomBytes(32));
  const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
  const redirect = 'http://127.0.0.1/callback';
  const auth = new URL(meta.authorization_endpoint);
  auth.search = new URLSearchParams({
    client_id: opt.client,
    response_type: 'code',
    redirect_uri: redirect,
    scope: opt.scope,
    state: b64url(crypto.randomBytes(8)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
  }).toString();
  const back = await drive(auth.href, opt.user, opt.issuer);
  const code = new URL(back).searchParams.get('code');
  if (!code) fail(`no code in ${back}`);
  const fields = {
    grant_type: 'authorization_code', code, redirect_uri: redirect, code_verifier: verifier, client_id: opt.client,
  };
  if (opt.secret) fields.client_secret = opt.secret;
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await res.json();
  if (!res.ok) fail(`token endpoint: ${JSON.stringify(body)}`);
  if (opt.revoke) {
    const which = opt.revoke === 'refresh' ? body.refresh_token : body.access_token;
    const r = await fetch(meta.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: which, client_id: opt.client }).toString(),
    });
    if (!r.ok) fail(`revocation endpoint: HTTP ${r.status} ${await r.text()}`);
  }
  console.log(JSON.stringify(body));
}

async function approve() {
  const issuer = new URL(opt.url).origin;
  const back = await drive(opt.url, opt.user, issuer);
  console.log(back);
  if (opt.deliver) {
    const res = await fetch(back, { redirect: 'manual' });
    console.log(`delivered: HTTP ${res.status}`);
  }
}

async function device() {
  const page = `${opt.issuer}/device?user_code=${encodeURIComponent(opt.code)}`;
  const res = await drive(page, opt.user, opt.issuer);
  console.log(res);
}

switch (positionals[0]) {
  case 'token': await token(); break;
  case 'approve': await approve(); break;
  case 'device': await device(); break;
  default: fail('usage: token.mjs token|approve|device …');
}
