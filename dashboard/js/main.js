// The merchant's dashboard: signs in, picks the store, and shows one section at a time.

import { Api } from "./api.js";
import { Auth, accessOf, claimsOf } from "./auth.js";
import { h, replace } from "./dom.js";
import { clearError, notify, showError } from "./ui.js";
import { renderOverview } from "./views/overview.js";
import { renderCustomers } from "./views/customers.js";
import { renderCustomer } from "./views/customer.js";
import { renderProgram } from "./views/program.js";
import { renderRewards } from "./views/rewards.js";
import { renderCoupons } from "./views/coupons.js";
import { renderDataRequests } from "./views/privacy.js";
import { renderTransfers } from "./views/transfers.js";

const STORE_ID = /^[A-Za-z0-9._-]{1,64}$/;

async function loadConfig() {
  // Written by `make deploy` (API URL, Cognito domain and client id); under `make dev` the file in
  // dashboard/ is `{}`: the API is this page's own server and the sign-in is a local token.
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (response.ok) return await response.json();
  } catch {
    // no config: local
  }
  return {};
}

function signedOutPage(auth) {
  const main = document.getElementById("main");
  if (auth.cognito) {
    replace(
      main,
      h("h2", {}, "Sign in"),
      h("p", {}, "Sign in with your merchant account to manage your store's loyalty program."),
      h("button", { type: "button", onclick: () => auth.signIn().catch(showError) }, "Sign in"),
    );
  } else {
    replace(
      main,
      h("h2", {}, "Sign in"),
      h("p", {}, "Open this page with a local merchant token in the address:"),
      h("pre", {}, `${window.location.origin}${window.location.pathname}#access_token=$(.venv/bin/loyalty admin-token acme)`),
      h("p", {}, "The token is read once and removed from the address bar."),
    );
  }
}

export class Dashboard {
  constructor(api, access, storeId, auth) {
    this.auth = auth;
    this.api = api;
    this.access = access;
    this.storeId = storeId;
    this.section = "overview";
    this.main = document.getElementById("main");
    // Each show() takes a turn; a slower, earlier one (its requests still out when the merchant
    // clicked on) must neither mark the page ready nor show its errors over the current section.
    this.turn = 0;
  }

  path(suffix = "") {
    return this.api.store(this.storeId) + suffix;
  }

  async show(section, options = {}) {
    const turn = ++this.turn;
    this.section = section;
    delete this.main.dataset.ready; // set again once this section has rendered
    clearError();
    if (!options.keepNotice) notify("");
    for (const button of document.querySelectorAll("#nav button")) {
      if (button.dataset.section === section || (section === "customer" && button.dataset.section === "customers")) {
        button.setAttribute("aria-current", "page");
      } else {
        button.removeAttribute("aria-current");
      }
    }
    const views = {
      overview: renderOverview,
      customers: renderCustomers,
      customer: renderCustomer,
      program: renderProgram,
      rewards: renderRewards,
      coupons: renderCoupons,
      "data-requests": renderDataRequests,
      transfers: renderTransfers,
    };
    const container = h("div", { class: "view", "data-view": section });
    replace(this.main, container);
    try {
      await views[section](this, container, options);
    } catch (error) {
      if (turn !== this.turn) return;
      showError(error);
      if (!container.childElementCount) {
        container.append(h("p", { class: "error-text" }, error.message));
      }
      if (error.status === 401) {
        container.append(
          this.auth.cognito
            ? h("button", { type: "button", onclick: () => this.auth.signIn().catch(showError) }, "Sign in again")
            : h("p", {}, "Mint a new token (loyalty admin-token STORE) and open the page with it."),
        );
      }
    }
    if (turn === this.turn) this.main.dataset.ready = section;
  }
}

function chooseStore(access) {
  const asked = new URLSearchParams(window.location.search).get("store");
  if (asked) return asked;
  if (access.stores.length >= 1 && (!access.operator || access.stores.length === 1)) return access.stores[0];
  return null;
}

function showStorePicker(access, current) {
  const form = document.getElementById("store-picker");
  const input = document.getElementById("store-input");
  const options = document.getElementById("store-options");
  replace(options, ...access.stores.map((store) => h("option", { value: store })));
  input.value = current || "";
  form.hidden = !(access.operator || access.stores.length > 1);
  form.onsubmit = (event) => {
    event.preventDefault();
    const store = input.value.trim();
    if (!STORE_ID.test(store)) {
      showError("A store id is 1 to 64 letters, digits, dots, dashes or underscores.");
      return;
    }
    const url = new URL(window.location.href);
    url.searchParams.set("store", store);
    window.location.assign(url.toString());
  };
}

async function main() {
  const config = await loadConfig();
  const auth = new Auth(config);
  let session;
  try {
    session = await auth.start();
  } catch (error) {
    showError(error);
  }
  if (!session) {
    signedOutPage(auth);
    document.getElementById("main").dataset.ready = "signed-out";
    return;
  }
  const signOut = document.getElementById("sign-out");
  signOut.hidden = false;
  signOut.addEventListener("click", () => auth.signOut());

  const access = accessOf(claimsOf(session.idToken));
  const storeId = chooseStore(access);
  showStorePicker(access, storeId);
  const main = document.getElementById("main");
  if (!storeId) {
    replace(
      main,
      h("h2", {}, "Choose a store"),
      h(
        "p",
        {},
        access.operator
          ? "You are an operator: type a store id above and open it."
          : "Your account has no store. Ask an operator to add you to one.",
      ),
    );
    main.dataset.ready = "no-store";
    return;
  }
  if (!STORE_ID.test(storeId)) {
    const message = "is not a store id: a store id is 1 to 64 letters, digits, dots, dashes or underscores.";
    showError(`“${storeId}” ${message}`);
    replace(main, h("h2", {}, "No such store"), h("p", {}, "“", h("bdi", {}, storeId), "” ", message));
    main.dataset.ready = "error";
    return;
  }
  document.getElementById("store-name").textContent = `· ${storeId}`;
  document.title = `Loyalty program · ${storeId}`;
  const api = new Api({ baseUrl: config.apiUrl || "", token: () => auth.token() });
  const dashboard = new Dashboard(api, access, storeId, auth);
  window.dashboard = dashboard; // for the curious, in the console
  const nav = document.getElementById("nav");
  nav.hidden = false;
  for (const button of nav.querySelectorAll("button")) {
    button.addEventListener("click", () => dashboard.show(button.dataset.section));
  }
  await dashboard.show("overview");
}

main().catch(showError);
