// Import and export: send a CSV of customers and points (its progress and bad rows as it runs),
// and export every customer to a CSV to download.

import { ApiError, describe, newIdempotencyKey } from "../api.js";
import { field, formatPoints, h, replace } from "../dom.js";
import { showError } from "../ui.js";

const BODY_LIMIT = 4 * 1024 * 1024; // larger files go to the bucket first (the API takes 5 MB bodies)
const POLL_MS = 1000;

async function failure(response) {
  let answer;
  try {
    answer = await response.json();
  } catch {
    answer = null; // not JSON: the status alone says what went wrong
  }
  return new ApiError(response.status, answer?.error || "http_error", describe(response.status, answer), answer?.details);
}

/** POST the file as the body, or upload it to a pre-signed link first; answers the queued import. */
async function startImport(dashboard, file, mode, key) {
  const api = dashboard.api;
  const url = new URL(api.baseUrl + dashboard.path("/imports"), window.location.href);
  url.searchParams.set("mode", mode);
  const headers = { Accept: "application/json", Authorization: `Bearer ${await api.token()}`, "Idempotency-Key": key };
  let body = file;
  if (file.size > BODY_LIMIT) {
    const upload = await api.request("POST", dashboard.path("/imports/uploads"));
    const put = await fetch(upload.url, { method: "PUT", body: file });
    if (!put.ok) throw new ApiError(put.status, "upload_failed", `The file could not be uploaded (${put.status}). Try again.`);
    body = JSON.stringify({ upload_id: upload.upload_id });
    headers["Content-Type"] = "application/json";
  } else {
    headers["Content-Type"] = "text/csv";
  }
  const response = await fetch(url, { method: "POST", headers, body, credentials: "omit", cache: "no-store" });
  if (!response.ok) throw await failure(response);
  return response.json();
}

function progressView(progress) {
  const counted = progress.imported + progress.skipped;
  const rows = progress.rows ?? 0;
  const parts = [
    h(
      "p",
      { class: "import-status", "data-status": progress.status },
      `Import ${progress.status}: `,
      progress.rows === null ? "reading the file…" : `${formatPoints(counted)} of ${formatPoints(rows)} rows — ${formatPoints(progress.imported)} imported, ${formatPoints(progress.skipped)} skipped.`,
    ),
  ];
  if (progress.rows !== null) parts.push(h("progress", { max: Math.max(rows, 1), value: counted }));
  if (progress.reason) parts.push(h("p", { class: "error-text" }, `The file could not be imported: ${progress.reason}`));
  if (progress.errors.length) {
    parts.push(
      h("h4", {}, progress.skipped > progress.errors.length ? `Skipped rows (the first ${progress.errors.length})` : "Skipped rows"),
      h(
        "table",
        { class: "import-errors" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Row"), h("th", { scope: "col" }, "Why"))),
        h("tbody", {}, ...progress.errors.map((error) => h("tr", {}, h("td", {}, String(error.row)), h("td", {}, error.message)))),
      ),
    );
  }
  return parts;
}

async function follow(dashboard, read, until, render) {
  for (;;) {
    const document = await read();
    render(document);
    if (until(document) || dashboard.section !== "transfers") return document;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function importForm(dashboard) {
  const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true });
  const mode = h(
    "select",
    { name: "mode" },
    h("option", { value: "add" }, "Add the points to each customer's balance"),
    h("option", { value: "set" }, "Make the points each customer's balance"),
  );
  const status = h("div", { class: "import-progress", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Import");
  let key = null; // kept for a retry of the same file, so it is never imported twice
  file.addEventListener("change", () => (key = null));
  mode.addEventListener("change", () => (key = null));
  const form = h(
    "form",
    { class: "settings", "data-form": "import" },
    field("CSV file", file, "Columns: customer_id (required), email, first_name, last_name, status (member, candidate or excluded), points. UTF-8, a header row."),
    field("Points", mode),
    button,
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) return;
    key = key || newIdempotencyKey();
    button.disabled = true;
    try {
      const queued = await startImport(dashboard, chosen, mode.value, key);
      await follow(
        dashboard,
        () => dashboard.api.request("GET", dashboard.path(`/imports/${queued.id}`)),
        (progress) => progress.status === "done" || progress.status === "failed",
        (progress) => replace(status, ...progressView(progress)),
      );
      key = null;
    } catch (error) {
      if (!(error instanceof ApiError && error.transient)) key = null;
      replace(status, h("p", { class: "error-text", role: "alert" }, error.message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function exportPanel(dashboard) {
  const status = h("div", { class: "export-progress", "aria-live": "polite" });
  const button = h("button", { type: "button" }, "Export customers");
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(status, h("p", {}, "Exporting…"));
    try {
      const started = await dashboard.api.request("POST", dashboard.path("/exports"), { idempotencyKey: newIdempotencyKey() });
      const done = await follow(
        dashboard,
        () => dashboard.api.request("GET", dashboard.path(`/exports/${started.id}`)),
        (document) => document.status === "done",
        () => {},
      );
      if (done.url) {
        replace(
          status,
          h("p", {}, `${formatPoints(done.rows)} customers exported. `, h("a", { href: done.url, download: `${dashboard.storeId}-customers.csv`, class: "download" }, "Download the CSV"), " (the link works for 15 minutes)."),
        );
      }
    } catch (error) {
      showError(error);
      replace(status);
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "settings" }, h("p", {}, "Every customer with their status and points, as a CSV that imports back with “Make the points each customer's balance”."), button, status);
}

export async function renderTransfers(dashboard, container) {
  container.append(
    h("h2", {}, "Import and export"),
    h("h3", {}, "Import customers and points"),
    importForm(dashboard),
    h("h3", {}, "Export"),
    exportPanel(dashboard),
  );
}
