// Privacy: the customers' data requests the platform relayed, and on a customer's card the two
// answers a merchant gives them — "Download data" (the export) and "Erase personal data".

import { formatTime, h, replace } from "../dom.js";
import { notify, showError, writeAction } from "../ui.js";

const PAGE_SIZE = 20;

export async function renderDataRequests(dashboard, container) {
  const body = h("tbody");
  const more = h("div", { class: "pager" });
  container.append(
    h("h2", {}, "Data requests"),
    h(
      "p",
      { class: "hint" },
      "Customers who asked for a copy of their data (Shopify relays these requests). Open the customer and use " +
        "“Download data”, then send the file to them.",
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "data-requests" },
        h("thead", {}, h("tr", {}, ...["Received", "Request", "Customer"].map((name) => h("th", { scope: "col" }, name)))),
        body,
      ),
    ),
    more,
  );
  async function load(cursor) {
    const page = await dashboard.api.request("GET", dashboard.path("/data-requests"), { query: { limit: PAGE_SIZE, cursor } });
    for (const item of page.items) {
      const open = () => dashboard.show("customer", { customerId: item.customer_id, from: {} });
      body.append(
        h(
          "tr",
          { "data-request": item.id },
          h("td", {}, formatTime(item.received_at)),
          h("td", {}, item.id),
          h("td", {}, h("button", { type: "button", class: "link", onclick: open }, item.customer_id)),
        ),
      );
    }
    if (!body.childElementCount) body.append(h("tr", {}, h("td", { colspan: 3 }, "No data requests.")));
    replace(more, page.next_cursor ? h("button", { type: "button", onclick: () => load(page.next_cursor).catch(showError) }, "More requests") : null);
  }
  await load(null);
}

/** The card's privacy actions: download the customer's data, erase their personal data. */
export function privacyForms(dashboard, base, customer, reload) {
  return [downloadForm(dashboard, base, customer), eraseForm(dashboard, base, customer, reload)];
}

function downloadForm(dashboard, base, customer) {
  const form = h(
    "form",
    { class: "action", "data-action": "download-data" },
    h("h4", {}, "Download data"),
    h("p", { class: "hint" }, "Everything kept about this customer (contact, every transaction, coupons), as a JSON file to send them."),
    h("button", { type: "submit" }, "Download data"),
    h("p", { class: "form-error", role: "alert" }),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const data = await dashboard.api.request("GET", `${base}/export`);
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = h("a", { href: url, download: `customer-${customer.customer_id}-data.json` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      notify(`Downloaded: ${data.transactions.length} transactions, ${data.coupons.length} coupons.`);
    } catch (error) {
      form.querySelector(".form-error").textContent = error.message;
      showError(error);
    }
  });
  return form;
}

function eraseForm(dashboard, base, customer, reload) {
  const confirm = h("input", { type: "checkbox", name: "confirm-erasure", required: true });
  const erased = customer.erased_at ? h("p", { class: "hint" }, `Erased on ${formatTime(customer.erased_at)}.`) : null;
  const form = h(
    "form",
    { class: "action", "data-action": "erase-personal-data" },
    h("h4", {}, "Erase personal data"),
    h(
      "p",
      { class: "hint" },
      "Removes the email, names, tags and the notes of the history, for good. The points and transactions stay.",
    ),
    erased,
    h("label", { class: "check" }, confirm, "I understand this cannot be undone"),
    h("button", { type: "submit", class: "danger" }, "Erase personal data"),
    h("p", { class: "form-error", role: "alert" }),
  );
  writeAction(form, {
    collect: () => {
      if (!confirm.checked) throw new Error("Tick the box to confirm the erasure.");
      return undefined;
    },
    perform: (_body, key) => dashboard.api.request("DELETE", `${base}/personal-data`, { idempotencyKey: key }),
    message: "Personal data erased.",
    done: () => reload(true),
  });
  return form;
}
