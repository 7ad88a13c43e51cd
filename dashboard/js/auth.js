// Signing in. Deployed: Cognito's managed login, authorization code with PKCE (a public client, no
// secret), tokens kept in sessionStorage and refreshed before they expire. Locally (`make dev`, no
// Cognito in config.json): a token from `loyalty admin-token STORE` in the URL fragment,
// #access_token=<token>, read once and removed from the address bar. The token only ever leaves
// the page as the Authorization header of API calls.

const KEY = "loyalty.dashboard.session";
const PKCE_KEY = "loyalty.dashboard.pkce";
const REFRESH_MARGIN_SECONDS = 60;

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(size) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

/** The claims of a JWT, read (not verified: the API verifies every call). */
export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(payload), (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

/** What the token's groups allow: {operator, stores}. */
export function accessOf(claims) {
  let groups = claims["cognito:groups"] || [];
  if (typeof groups === "string") groups = groups.split(/[\s,]+/);
  const stores = groups.filter((group) => group.startsWith("store:")).map((group) => group.slice(6));
  return { operator: groups.includes("operators"), stores };
}

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

function save(session) {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

function tokensToSession(answer, previous) {
  return {
    idToken: answer.id_token,
    refreshToken: answer.refresh_token || previous?.refreshToken || null,
    expiresAt: Date.now() / 1000 + Number(answer.expires_in || 3600),
  };
}

export class Auth {
  constructor(config) {
    this.config = config;
    this.cognito = Boolean(config.cognitoDomain && config.clientId);
    this.session = null;
  }

  get redirectUri() {
    return this.config.redirectUri || `${window.location.origin}${window.location.pathname}`;
  }

  /** Signs in from what the URL brings (a fragment token, or Cognito's ?code=), else the kept session.
   * Answers the session, or null when the person has to sign in. */
  async start() {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const fragmentToken = fragment.get("access_token") || fragment.get("id_token");
    if (fragmentToken && !this.cognito) {
      fragment.delete("access_token");
      fragment.delete("id_token");
      const rest = fragment.toString();
      history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? `#${rest}` : ""));
      const claims = claimsOf(fragmentToken);
      this.session = { idToken: fragmentToken, refreshToken: null, expiresAt: Number(claims.exp || 0) };
      save(this.session);
      return this.session;
    }
    const query = new URLSearchParams(window.location.search);
    if (this.cognito && query.get("code")) {
      await this.exchangeCode(query);
      return this.session;
    }
    this.session = load();
    if (this.session && this.cognito && this.expiresSoon()) {
      try {
        await this.refresh();
      } catch {
        this.session = null;
      }
    }
    return this.session;
  }

  expiresSoon() {
    return !this.session?.expiresAt || this.session.expiresAt - Date.now() / 1000 < REFRESH_MARGIN_SECONDS;
  }

  /** The token for the next API call, refreshed first when it is about to expire. */
  async token() {
    if (this.cognito && this.session?.refreshToken && this.expiresSoon()) await this.refresh();
    return this.session?.idToken || "";
  }

  async signIn() {
    if (!this.cognito) return;
    const verifier = randomText(48);
    const state = randomText(16);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, search: window.location.search }));
    const url = new URL("/oauth2/authorize", this.config.cognitoDomain);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: this.redirectUri,
      scope: "openid email",
      state,
      code_challenge: base64url(new Uint8Array(digest)),
      code_challenge_method: "S256",
    }).toString();
    window.location.assign(url.toString());
  }

  async exchangeCode(query) {
    const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
    sessionStorage.removeItem(PKCE_KEY);
    if (!pending || pending.state !== query.get("state")) {
      throw new Error("The sign-in answer does not match the sign-in this page started: sign in again.");
    }
    const answer = await this.tokenRequest({
      grant_type: "authorization_code",
      client_id: this.config.clientId,
      code: query.get("code"),
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    this.session = tokensToSession(answer, null);
    save(this.session);
    history.replaceState(null, "", window.location.pathname + (pending.search || ""));
  }

  async refresh() {
    const answer = await this.tokenRequest({
      grant_type: "refresh_token",
      client_id: this.config.clientId,
      refresh_token: this.session.refreshToken,
    });
    this.session = tokensToSession(answer, this.session);
    save(this.session);
  }

  async tokenRequest(parameters) {
    const response = await fetch(new URL("/oauth2/token", this.config.cognitoDomain), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(parameters).toString(),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`Sign-in failed: ${answer.error_description || answer.error || response.status}`);
    }
    return answer;
  }

  signOut() {
    sessionStorage.removeItem(KEY);
    this.session = null;
    if (this.cognito) {
      const url = new URL("/logout", this.config.cognitoDomain);
      url.search = new URLSearchParams({ client_id: this.config.clientId, logout_uri: this.redirectUri }).toString();
      window.location.assign(url.toString());
    } else {
      window.location.replace(window.location.pathname + window.location.search);
    }
  }
}
