// The back office API: every call carries the merchant's token as the Bearer header; every
// answer that is not a success becomes an ApiError whose message is written for a person.

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Worth retrying with the same Idempotency-Key: the request may not have been applied. */
  get transient() {
    return this.status === 0 || this.status >= 500;
  }
}

const STATUS_WORDS = {
  400: "The request was not understood",
  401: "You are not signed in, or your sign-in has expired",
  403: "You may not act on this store",
  404: "Not found",
  409: "Refused",
  422: "Some values are not valid",
  429: "Too many requests: wait a moment and try again",
  503: "The service is busy: try again",
};

/** A person's sentence for an error answer: what failed, and the API's own message. */
export function describe(status, body) {
  const lead = STATUS_WORDS[status] || (status >= 500 ? "The service failed" : `Error ${status}`);
  const message = body && typeof body.message === "string" ? body.message : "";
  const details = body && Array.isArray(body.details) ? body.details : [];
  const fields = details
    .map((detail) => {
      const where = Array.isArray(detail.loc) ? detail.loc.filter((part) => part !== "body").join(".") : "";
      return where ? `${where}: ${detail.msg || "invalid"}` : detail.msg;
    })
    .filter(Boolean);
  let text = message ? `${lead}: ${message}` : `${lead}.`;
  if (fields.length && !message.includes(fields[0])) text += ` (${fields.join("; ")})`;
  return text;
}

export class Api {
  constructor({ baseUrl, token }) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.token = token; // a function answering the current token (it may be refreshed)
  }

  store(storeId) {
    return `/admin/stores/${encodeURIComponent(storeId)}`;
  }

  async request(method, path, { body, query, idempotencyKey } = {}) {
    const url = new URL(this.baseUrl + path, window.location.href);
    for (const [name, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
    }
    const headers = { Accept: "application/json", Authorization: `Bearer ${await this.token()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, "network", `The service could not be reached (${error.message}). Try again.`);
    }
    const text = await response.text();
    let document;
    try {
      document = text ? JSON.parse(text) : null;
    } catch {
      document = null;
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        document?.error || "http_error",
        describe(response.status, document),
        document?.details,
      );
    }
    return document;
  }
}

/** A fresh Idempotency-Key for one user action (kept by the caller for a retry of that action). */
export function newIdempotencyKey() {
  return `dash-${crypto.randomUUID()}`;
}
