// The panel's calls to the loyalty API: the public program, and the customer's own reads and
// redemptions behind its customer token (from the element, or GET from the store's token URL,
// asked again once when a call answers 401).

export class PanelError extends Error {
  /** kind: "network" | "session" | "refused" | "gone" | "busy" | "unknown" */
  constructor(kind, status = 0) {
    super(kind);
    this.kind = kind;
    this.status = status;
  }
}

const encode = encodeURIComponent;

function kindOf(status) {
  if (status === 401) return "session";
  if (status === 404) return "gone";
  if (status === 409) return "refused";
  if (status === 429 || status === 503) return "busy";
  return "unknown";
}

/** The customer a token names: its `sub` is `<store>:<customer>` (the customer part may hold colons). */
export function customerOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const sub = JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), "="))).sub;
    const colon = sub.indexOf(":");
    return colon > 0 ? { store: sub.slice(0, colon), customer: sub.slice(colon + 1) } : null;
  } catch {
    return null;
  }
}

/** A fresh key for one intent to redeem (crypto.getRandomValues works on any page, https or not). */
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `panel-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export class PanelApi {
  constructor({ api, store, token, tokenUrl }) {
    this.base = api.replace(/\/+$/, "");
    this.store = store;
    this.token = token || null;
    this.tokenUrl = tokenUrl || null;
    this.pendingToken = null;
    this.renewal = null;
    this.renewedFrom = null;
  }

  /** The customer token, fetched once from the token URL when the element was given none; null: a visitor. */
  async customerToken(fresh = false) {
    if (this.token && !fresh) return this.token;
    if (!this.tokenUrl) return this.token;
    if (!this.pendingToken || fresh) this.pendingToken = this.fetchToken();
    this.token = await this.pendingToken;
    return this.token;
  }

  async fetchToken() {
    let answer;
    try {
      answer = await fetch(this.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch {
      throw new PanelError("network");
    }
    if (answer.status === 401 || answer.status === 403 || answer.status === 404) return null; // not signed in
    if (!answer.ok) throw new PanelError(kindOf(answer.status), answer.status);
    const document = await answer.json().catch(() => ({}));
    return typeof document.token === "string" && document.token ? document.token : null;
  }

  async send(method, path, { token, body, key } = {}) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        mode: "cors",
      });
    } catch {
      throw new PanelError("network");
    }
  }

  async json(answer) {
    if (!answer.ok) throw new PanelError(kindOf(answer.status), answer.status);
    try {
      return await answer.json();
    } catch {
      throw new PanelError("unknown", answer.status);
    }
  }

  program() {
    return this.send("GET", `/stores/${encode(this.store)}/program`).then((answer) => this.json(answer));
  }

  /** A call as the customer; a 401 asks the token URL once for a new token and tries again. */
  async asCustomer(method, suffix, options = {}) {
    const token = await this.customerToken();
    const who = token && customerOf(token);
    if (!who) throw new PanelError("session", 401);
    const path = (customer) => `/stores/${encode(this.store)}/customers/${encode(customer)}${suffix}`;
    let answer = await this.send(method, path(who.customer), { ...options, token });
    if (answer.status === 401 && this.tokenUrl) {
      // Asked again once per refused token: calls refused together share the new one, and a call
      // refused again is said in words.
      if (this.token === token && this.renewedFrom !== token) {
        this.renewedFrom = token;
        this.renewal = this.customerToken(true);
      }
      const renewed = await this.renewal;
      const again = renewed && renewed !== token && customerOf(renewed);
      if (!again) throw new PanelError("session", 401);
      answer = await this.send(method, path(again.customer), { ...options, token: renewed });
    }
    return answer;
  }

  account() {
    return this.asCustomer("GET", "/balance").then((answer) => (answer.status === 404 ? null : this.json(answer)));
  }

  history(limit) {
    return this.asCustomer("GET", `/transactions?limit=${limit}`).then((answer) =>
      answer.status === 404 ? { items: [] } : this.json(answer),
    );
  }

  coupons() {
    return this.asCustomer("GET", "/coupons?status=issued&limit=20").then((answer) =>
      answer.status === 404 ? { items: [] } : this.json(answer),
    );
  }

  redeem(rewardId, key) {
    return this.asCustomer("POST", "/redemptions", { body: { reward_id: rewardId }, key }).then((answer) =>
      this.json(answer),
    );
  }
}
