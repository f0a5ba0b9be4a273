// Sign-in with OAuth 2.0 authorization code + PKCE (S256) at the provider in config.json, and
// silent refresh: an access token about to expire is refreshed before the request that needs it,
// one refresh at a time (refresh tokens rotate, and using one twice ends the session).
//
// Tokens live in sessionStorage: one browser tab, gone when it closes, kept across a reload.
// Whoever holds the access token beyond one request (the live connection, live.js) hears of
// each refreshed one through onRefresh().

const STORE = "portal.session";
const PENDING = "portal.pending";
const EARLY_SECONDS = 60; // refresh this long before the access token expires

export class SessionEnded extends Error {}

export class Auth {
  constructor(config, clock = () => Date.now()) {
    this.config = config;
    this.clock = clock;
    this.provider = null;
    this.refreshing = null;
    this.refreshListeners = new Set();
    this.session = JSON.parse(sessionStorage.getItem(STORE) || "null");
  }

  get redirectUri() {
    return new URL("./", window.location.href.split(/[?#]/)[0]).href;
  }

  get signedIn() {
    return this.session !== null;
  }

  get claims() {
    return this.session ? this.session.claims : null;
  }

  async discover() {
    if (!this.provider) {
      const issuer = this.config.issuer.replace(/\/$/, "");
      const response = await fetch(`${issuer}/.well-known/openid-configuration`);
      if (!response.ok) throw new Error(`The identity provider answered ${response.status}.`);
      this.provider = await response.json();
    }
    return this.provider;
  }

  async signIn(returnTo) {
    const provider = await this.discover();
    const verifier = randomString(64);
    const pending = { state: randomString(32), nonce: randomString(32), verifier, returnTo };
    sessionStorage.setItem(PENDING, JSON.stringify(pending));
    const url = new URL(provider.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: this.redirectUri,
      scope: this.config.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await s256(verifier),
      code_challenge_method: "S256",
    }).toString();
    window.location.assign(url.href);
  }

  // Handles the provider's redirect back (?code&state or ?error); returns the hash to show next.
  async completeSignIn(params) {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    sessionStorage.removeItem(PENDING);
    if (!pending || params.get("state") !== pending.state) {
      throw new Error("The sign-in answer does not match a sign-in this tab started. Please sign in again.");
    }
    if (params.has("error")) {
      throw new Error(params.get("error_description") || params.get("error"));
    }
    const provider = await this.discover();
    if (params.has("iss") && params.get("iss") !== provider.issuer) {
      throw new Error("The sign-in answer came from another identity provider.");
    }
    const tokens = await this.tokenRequest({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    const claims = tokens.id_token ? decodeJwt(tokens.id_token) : {};
    if (tokens.id_token) {
      // Received straight from the token endpoint over TLS (OpenID Connect Core 3.1.3.7):
      // the signature need not be checked here, but the request it answers must be ours.
      if (claims.nonce !== pending.nonce) throw new Error("The ID token does not carry this sign-in's nonce.");
      if (claims.iss !== provider.issuer) throw new Error("The ID token comes from another issuer.");
      const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audience.includes(this.config.clientId)) throw new Error("The ID token is for another application.");
    }
    this.store(tokens, { name: claims.name || claims.preferred_username || "", idToken: tokens.id_token || null });
    return pending.returnTo || "#/";
  }

  // The access token to send now, refreshed first when it is about to expire.
  async accessToken({ force = false } = {}) {
    if (!this.session) throw new SessionEnded("You are signed out.");
    if (!force && this.session.expiresAt - EARLY_SECONDS * 1000 > this.clock()) {
      return this.session.accessToken;
    }
    if (!this.refreshing) {
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = null;
      });
    }
    await this.refreshing;
    return this.session.accessToken;
  }

  // Milliseconds until accessToken() will refresh the token (0: at the next call); null when
  // signed out.
  refreshDueIn() {
    if (!this.session) return null;
    return Math.max(0, this.session.expiresAt - EARLY_SECONDS * 1000 - this.clock());
  }

  // Calls listener(accessToken) after each refresh; returns a function that stops it.
  onRefresh(listener) {
    this.refreshListeners.add(listener);
    return () => this.refreshListeners.delete(listener);
  }

  async refresh() {
    const refreshToken = this.session && this.session.refreshToken;
    if (!refreshToken) {
      this.forget();
      throw new SessionEnded("Your session has expired. Please sign in again.");
    }
    let tokens;
    try {
      tokens = await this.tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
    } catch (error) {
      if (error.oauthError === "invalid_grant") {
        this.forget();
        throw new SessionEnded("Your session has ended. Please sign in again.");
      }
      throw error;
    }
    this.store(tokens, this.session.claims);
    for (const listener of this.refreshListeners) listener(this.session.accessToken);
  }

  async signOut() {
    const session = this.session;
    this.forget();
    if (!session) return;
    const provider = await this.discover().catch(() => null);
    if (provider && provider.revocation_endpoint && session.refreshToken) {
      await fetch(provider.revocation_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: session.refreshToken, client_id: this.config.clientId }),
      }).catch(() => null);
    }
    if (provider && provider.end_session_endpoint) {
      const url = new URL(provider.end_session_endpoint);
      url.search = new URLSearchParams({
        client_id: this.config.clientId,
        post_logout_redirect_uri: this.redirectUri,
        ...(session.claims.idToken ? { id_token_hint: session.claims.idToken } : {}),
      }).toString();
      window.location.assign(url.href);
    }
  }

  forget() {
    this.session = null;
    sessionStorage.removeItem(STORE);
  }

  store(tokens, claims) {
    this.session = {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token || (this.session && this.session.refreshToken) || null,
      expiresAt: this.clock() + Number(tokens.expires_in || 300) * 1000,
      claims,
    };
    sessionStorage.setItem(STORE, JSON.stringify(this.session));
  }

  async tokenRequest(parameters) {
    const provider = await this.discover();
    const response = await fetch(provider.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ client_id: this.config.clientId, ...parameters }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(body.error_description || `The identity provider answered ${response.status}.`);
      error.oauthError = body.error;
      throw error;
    }
    return body;
  }
}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeJwt(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}
