// What every view shares: the alert line (errors in words), notices, and one-shot write actions.

import { ApiError, newIdempotencyKey } from "./api.js";

const alertBox = () => document.getElementById("alert");
const noticeBox = () => document.getElementById("notice");

export function showError(error) {
  const box = alertBox();
  box.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

export function clearError() {
  const box = alertBox();
  box.textContent = "";
  box.hidden = true;
}

export function notify(text) {
  const box = noticeBox();
  box.textContent = text;
  box.hidden = !text;
}

/**
 * Wire a form to one write. While it is in flight the submit button is disabled (a double click
 * sends nothing twice). Each user action gets a fresh Idempotency-Key; when the answer is lost or
 * the service fails (a transient error) the key is kept, so submitting the same values again is a
 * retry that the API answers once; changed values are a new action with a new key.
 *
 * `collect()` answers the request body (or throws an Error whose message is shown);
 * `perform(body, key)` sends it; `done(result)` shows the outcome.
 */
export function writeAction(form, { collect, perform, done, message }) {
  let pending = null; // {key, fingerprint} of an action whose outcome is unknown
  let inFlight = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (inFlight) return;
    clearFormErrors(); // an earlier error, of this form or another, no longer describes the page
    clearError();
    notify(""); // nor does an earlier success: "Saved" shows again only when this write is done
    let body;
    try {
      body = collect ? collect() : undefined;
    } catch (problem) {
      report(form, problem);
      return;
    }
    const fingerprint = JSON.stringify(body ?? null);
    if (!pending || pending.fingerprint !== fingerprint) pending = { key: newIdempotencyKey(), fingerprint };
    inFlight = true;
    const buttons = form.querySelectorAll("button");
    buttons.forEach((button) => {
      button.disabled = true;
    });
    form.setAttribute("aria-busy", "true");
    try {
      const result = await perform(body, pending.key);
      pending = null;
      clearError();
      if (message) notify(typeof message === "function" ? message(result) : message);
      if (done) await done(result);
    } catch (problem) {
      if (!(problem instanceof ApiError) || !problem.transient) pending = null;
      notify(""); // an earlier success no longer describes the page
      report(form, problem);
    } finally {
      inFlight = false;
      form.removeAttribute("aria-busy");
      buttons.forEach((button) => {
        button.disabled = false;
      });
    }
  });
}

export function clearFormErrors() {
  for (const slot of document.querySelectorAll(".form-error")) slot.textContent = "";
}

function report(form, problem) {
  const text = problem?.message || String(problem);
  const slot = form.querySelector(".form-error");
  if (slot) slot.textContent = text;
  showError(problem);
}

export function wholeNumber(value, name) {
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text)) throw new Error(`${name} must be a whole number.`);
  return Number.parseInt(text, 10);
}
