// panva's oidc-provider (https://github.com/panva/node-oidc-provider) configured as a
// conformance target for `oauth-conformance --target cases/targets/oidc-provider.yaml`.
// docs/oidc-provider.md explains how to install, start and check it.
//
//   npm ci && PORT=3000 node server.mjs
//
// Environment:
//   PORT           the TCP port on 127.0.0.1 (default 3000; 0 lets the system pick one)
//   CLIENT_SECRET  the static client's secret (default test-secret)
//
// What it configures, and nothing more than a small deployment would:
// - three static clients matching the profile (a confidential client, a public client and a
//   second confidential client), redirect URI http://127.0.0.1:3030/callback;
// - open (anonymous) dynamic client registration, revocation, introspection, RFC 8707 resource
//   indicators for one resource (http://127.0.0.1:PORT/mcp), RP-initiated logout;
// - PKCE required for every client (oidc-provider only knows S256), refresh tokens rotated on
//   every use;
// - a non-interactive sign-in: the login interaction is a plain HTML form
//   (POST /interaction/:uid/login with email and password) that the profile's `sign_in` steps
//   post, and consent is granted automatically (`loadExistingGrant` below), so once a session
//   exists the authorization endpoint answers with a code directly.
//
// The server keeps everything in memory (oidc-provider's development adapter) and generates
// its signing key at start. It prints `oidc-provider listening on 127.0.0.1:PORT` and
// `issuer: URL` when ready.

import { createServer } from 'node:http';
import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const REQUESTED_PORT = Number(process.env.PORT ?? 3000);
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'test-secret';

const REDIRECT_URI = 'http://127.0.0.1:3030/callback';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1:3030/logged-out';
const CLIENT_SCOPE = 'openid profile email offline_access user';

// The one test user.
const USER = {
  accountId: 'jane',
  email: 'jane@example.com',
  password: 'correct horse battery staple',
  name: 'Jane Doe',
};

function equalStrings(a, b) {
  const left = Buffer.from(String(a));
  const right = Buffer.from(String(b));
  return left.length === right.length && timingSafeEqual(left, right);
}

function html(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(res, uid, status = 200, error = undefined) {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`<!DOCTYPE html>
<html><head><title>Sign in</title></head><body>
<h1>Sign in</h1>${error ? `<p role="alert">${html(error)}</p>` : ''}
<form method="post" action="/interaction/${html(uid)}/login">
<label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button>
</form></body></html>`);
}

// Listen first: the issuer and the resource carry the port the system gave.
const server = createServer();
await new Promise((resolve) => server.listen(REQUESTED_PORT, HOST, resolve));
const { port } = server.address();
const ISSUER = `http://${HOST}:${port}`;
const RESOURCE = `http://${HOST}:${port}/mcp`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'conformance-rs256', use: 'sig', alg: 'RS256' };

const staticClient = (clientId, secret) => ({
  client_id: clientId,
  client_secret: secret,
  token_endpoint_auth_method: 'client_secret_post',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
  scope: CLIENT_SCOPE,
});

const configuration = {
  clients: [
    staticClient('test-client', CLIENT_SECRET),
    staticClient('other_client', 'other-secret'),
    {
      // A native app (RFC 8252): a public client whose loopback redirect URI may use any port.
      // oidc-provider asks native clients for consent on every authorization; server.mjs grants
      // it, and the profile's `authorize` walks that interaction.
      client_id: 'public_client',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [REDIRECT_URI],
      post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
      scope: CLIENT_SCOPE,
    },
  ],
  // Registered clients may refresh unless they say otherwise.
  clientDefaults: {
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['oidc-provider conformance target cookie key'] },
  scopes: ['openid', 'profile', 'email', 'offline_access', 'user'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, id) {
    if (id !== USER.accountId) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: USER.name, email: USER.email, email_verified: true };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true, initialAccessToken: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => false,
      async getResourceServerInfo(_ctx, indicator) {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: 'user',
          audience: RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'opaque',
        };
      },
    },
  },
  pkce: { required: () => true },
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 60 * 60,
    Interaction: 3600,
    Session: 14 * 24 * 60 * 60,
    Grant: 14 * 24 * 60 * 60,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // Consent is automatic: a signed-in user's grant for the client is extended with whatever the
  // request asks for, so an authorization with a session answers with a code directly.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const accountId = oidc.session.accountId;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (!grant || grant.accountId !== accountId || grant.clientId !== oidc.client.clientId) {
      grant = new oidc.provider.Grant({ accountId, clientId: oidc.client.clientId });
    }
    const oidcScopes = [...oidc.requestParamOIDCScopes].join(' ');
    if (oidcScopes) grant.addOIDCScope(oidcScopes);
    const claims = oidc.requestParamClaims ? [...oidc.requestParamClaims] : [];
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers)) {
      const scopes = [...oidc.requestParamScopes].filter((s) => resourceServer.scopes.has(s));
      if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
    }
    await grant.save();
    return grant;
  },
};

const provider = new Provider(ISSUER, configuration);
provider.on('server_error', (_ctx, err) => console.error('server_error', err));
const callback = provider.callback();

async function interaction(req, res, url) {
  const [, , uid, action] = url.pathname.split('/');
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login') return loginPage(res, uid);
      // Any other prompt (consent for a request loadExistingGrant did not cover): grant it.
      return await grantConsent(req, res, details);
    }
    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      if (!equalStrings(form.get('email') ?? '', USER.email)
        || !equalStrings(form.get('password') ?? '', USER.password)) {
        return loginPage(res, uid, 401, 'Wrong email or password');
      }
      return await provider.interactionFinished(req, res, {
        login: { accountId: USER.accountId },
      }, { mergeWithLastSubmission: false });
    }
    res.statusCode = 404;
    return res.end();
  } catch (err) {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    return res.end(`interaction failed: ${err.message}\n`);
  }
}

async function grantConsent(req, res, details) {
  const { prompt: { details: missing }, params, session } = details;
  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  grant ??= new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

server.on('request', (req, res) => {
  const url = new URL(req.url, ISSUER);
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url);
    return;
  }
  callback(req, res);
});

console.log(`oidc-provider listening on ${HOST}:${port}`);
console.log(`  issuer:   ${ISSUER}`);
console.log(`  resource: ${RESOURCE}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
