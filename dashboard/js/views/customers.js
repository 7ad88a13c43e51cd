// The customers in three tabs (Members, Guests, Excluded), newest activity first, with a search
// box (email or name prefix) and pages (the API's opaque next_cursor).

import { displayName, field, formatPoints, formatTime, h, isolated, replace } from "../dom.js";
import { showError } from "../ui.js";

const TABS = [
  ["member", "Members"],
  ["candidate", "Guests"],
  ["excluded", "Excluded"],
];
const PAGE_SIZE = 20;

export async function renderCustomers(dashboard, container, options = {}) {
  const state = { status: options.status || "member", search: options.search || "", cursors: [null] };
  const tablist = h("div", { role: "tablist", "aria-label": "Customer types", class: "tabs" });
  const panel = h("div", { role: "tabpanel", id: "customers-panel", tabindex: "0" });
  const buttons = TABS.map(([status, label]) =>
    h(
      "button",
      {
        type: "button",
        role: "tab",
        id: `tab-${status}`,
        "aria-controls": "customers-panel",
        "data-status": status,
        onclick: () => select(status),
        onkeydown: (event) => {
          const index = TABS.findIndex(([name]) => name === status);
          const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
          if (step) {
            const next = TABS[(index + step + TABS.length) % TABS.length][0];
            select(next);
            document.getElementById(`tab-${next}`).focus();
          }
        },
      },
      label,
    ),
  );
  tablist.append(...buttons);

  const searchInput = h("input", { type: "search", name: "search", value: state.search, maxlength: 100, autocomplete: "off" });
  const searchForm = h(
    "form",
    { class: "search", role: "search" },
    field("Search by email or name", searchInput, "The beginning of an email, a first, last or full name"),
    h("button", { type: "submit" }, "Search"),
  );
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    state.search = searchInput.value.trim();
    state.cursors = [null];
    load().catch(showError);
  });

  container.append(h("h2", {}, "Customers"), searchForm, tablist, panel);

  function select(status) {
    state.status = status;
    state.cursors = [null];
    load().catch(showError);
  }

  let latest = 0; // a newer load (another tab, another search) wins over one still in flight
  async function load() {
    latest += 1;
    const mine = latest;
    for (const button of buttons) {
      const selected = button.dataset.status === state.status;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    panel.setAttribute("aria-labelledby", `tab-${state.status}`);
    panel.setAttribute("aria-busy", "true");
    const cursor = state.cursors.at(-1);
    let page;
    try {
      page = await dashboard.api.request("GET", dashboard.path("/customers"), {
        query: { status: state.status, search: state.search, limit: PAGE_SIZE, cursor },
      });
    } finally {
      if (mine === latest) panel.removeAttribute("aria-busy");
    }
    if (mine !== latest) return;
    const label = TABS.find(([name]) => name === state.status)[1];
    const rows = page.items.map((customer) =>
      h(
        "tr",
        { "data-customer": customer.customer_id },
        h(
          "th",
          { scope: "row", "data-field": "name" },
          h(
            "button",
            {
              type: "button",
              class: "link",
              onclick: () => dashboard.show("customer", { customerId: customer.customer_id, from: { ...state, cursors: undefined } }),
            },
            isolated(displayName(customer)),
          ),
        ),
        h("td", { "data-field": "email" }, isolated(customer.email)),
        h("td", { "data-field": "customer_id" }, isolated(customer.customer_id)),
        h("td", { class: "number" }, formatPoints(customer.points.balance)),
        h("td", {}, formatTime(customer.last_activity_at)),
      ),
    );
    const pager = h("div", { class: "pager" });
    if (state.cursors.length > 1) {
      pager.append(
        h("button", { type: "button", onclick: () => { state.cursors.pop(); load().catch(showError); } }, "Previous page"),
      );
    }
    if (page.next_cursor) {
      pager.append(
        h("button", { type: "button", onclick: () => { state.cursors.push(page.next_cursor); load().catch(showError); } }, "Next page"),
      );
    }
    replace(
      panel,
      rows.length
        ? h(
            "table",
            { class: "customers" },
            h("caption", {}, label, state.search ? [" matching “", isolated(state.search), "”"] : "", `, page ${state.cursors.length}`),
            h("thead", {}, h("tr", {}, ...["Name", "Email", "Customer id", "Balance", "Last activity"].map((name) => h("th", { scope: "col" }, name)))),
            h("tbody", {}, ...rows),
          )
        : h(
            "p",
            { class: "empty" },
            state.search ? [`No ${label.toLowerCase()} match “`, isolated(state.search), "”."] : `No ${label.toLowerCase()} yet.`,
          ),
      pager,
    );
    panel.dataset.loaded = state.status;
  }

  await load();
}
