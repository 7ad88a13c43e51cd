// <loyalty-panel store="acme" api="https://…/v1" customer-token="…" | token-url="/loyalty/token" [inline] [lang]>
// The storefront's rewards panel: a launcher opening a dialog (or, with `inline`, the panel in
// place), in a shadow root. Plain ES modules, no dependency, no build step (docs/panel.md).

import { PanelApi, PanelError, idempotencyKey } from "./api.js";
import en from "./i18n/en.js";
import fr from "./i18n/fr.js";
import { STYLES } from "./styles.js";
import { h, Views } from "./views.js";

const STRINGS = { en, fr };
const HISTORY_LINES = 10;
let panels = 0;

function languageOf(element) {
  const tag = (element.getAttribute("lang") || document.documentElement.lang || "en").toLowerCase();
  return tag.split("-")[0] in STRINGS ? tag.split("-")[0] : "en";
}

function focusables(root) {
  return [...root.querySelectorAll("button, a[href], [tabindex]:not([tabindex='-1'])")].filter((node) => !node.disabled && !node.closest("[hidden]"));
}

class LoyaltyPanel extends HTMLElement {
  static observedAttributes = ["store", "api", "customer-token", "token-url", "lang", "inline"];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    this.id_ = `loyalty-panel-${(panels += 1)}`;
    this.ready = false;
  }

  connectedCallback() {
    if (!this.ready) this.setUp();
  }

  attributeChangedCallback() {
    if (this.ready) this.setUp(); // a new token, store or language: start afresh
  }

  setUp() {
    this.ready = true;
    this.lang_ = languageOf(this);
    this.s = STRINGS[this.lang_];
    this.views = new Views(this.s, this.lang_);
    this.api = new PanelApi({
      api: this.getAttribute("api") || "",
      store: this.getAttribute("store") || "",
      token: this.getAttribute("customer-token"),
      tokenUrl: this.getAttribute("token-url"),
    });
    this.state = { program: null, account: null, coupons: [], history: [], busy: null, fresh: null, problem: null, view: "loading" };
    this.loading = null;
    const style = h("style", {}, STYLES);
    const titleId = `${this.id_}-title`;
    this.content = h("div", { class: "body", "aria-live": "polite" });
    this.heading = h("h2", { id: titleId }, this.s.title);
    const header = h("header", {}, this.heading);
    this.panel = h("div", { class: "panel", lang: this.lang_ }, header, this.content);
    if (this.hasAttribute("inline")) {
      this.panel.setAttribute("role", "region");
      this.panel.setAttribute("aria-labelledby", titleId);
      this.root.replaceChildren(style, this.panel);
      this.load();
      return;
    }
    const close = h("button", { type: "button", class: "close", onclick: () => this.close() }, this.s.close);
    header.append(close);
    this.dialog = h("dialog", { id: `${this.id_}-dialog`, "aria-labelledby": titleId }, this.panel);
    this.dialog.addEventListener("close", () => this.closed());
    this.dialog.addEventListener("keydown", (event) => this.keepFocus(event));
    this.launcher = h(
      "button",
      { type: "button", class: "launcher", "aria-haspopup": "dialog", "aria-expanded": "false", "aria-controls": this.dialog.id, onclick: () => this.open() },
      this.s.launcher,
    );
    this.root.replaceChildren(style, this.launcher, this.dialog);
    // The program alone, before anyone opens the panel: the launcher takes the store's colour.
    this.programLoad = this.api.program().then((program) => this.theme(program), () => null);
  }

  theme(program) {
    if (program?.accent_color && /^#[0-9a-fA-F]{6}$/.test(program.accent_color)) {
      this.style.setProperty("--loyalty-program-accent", program.accent_color);
    }
    if (program?.name) this.heading.replaceChildren(h("bdi", {}, program.name));
    return program;
  }

  open() {
    if (this.dialog.open) return;
    this.dialog.showModal();
    this.launcher.setAttribute("aria-expanded", "true");
    (focusables(this.dialog)[0] || this.dialog).focus();
    if (!this.loading || this.state.view === "error") this.load();
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  closed() {
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  }

  /** Tab and Shift+Tab wrap inside the open dialog (Escape closes it: the dialog's own cancel). */
  keepFocus(event) {
    if (event.key !== "Tab") return;
    const inside = focusables(this.root).filter((node) => this.dialog.contains(node));
    if (!inside.length) return;
    const first = inside[0];
    const last = inside[inside.length - 1];
    const active = this.root.activeElement;
    if (event.shiftKey && (active === first || !this.dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !this.dialog.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  }

  load() {
    this.state.view = "loading";
    this.render();
    this.loading = this.fetchAll().then(
      () => this.render(),
      (error) => {
        this.state.view = "error";
        this.state.problem = error instanceof PanelError ? error.kind : "unknown";
        this.render();
      },
    );
    return this.loading;
  }

  /** At most four requests: the program, and for a signed-in customer its account, history and coupons. */
  async fetchAll() {
    if (!this.api.base || !this.api.store) throw new PanelError("setup");
    const program = this.theme(await (this.programLoad || this.api.program()).then((found) => found || this.api.program()));
    this.state.program = program;
    const token = await this.api.customerToken();
    if (!token) {
      this.state.view = "visitor";
      return;
    }
    const [account, history, coupons] = await Promise.all([this.api.account(), this.api.history(HISTORY_LINES), this.api.coupons()]);
    this.state.account = account;
    this.state.history = history.items || [];
    this.state.coupons = coupons.items || [];
    this.state.problem = null;
    this.state.view = !account ? "member" : account.status === "excluded" ? "excluded" : account.status === "candidate" ? "guest" : "member";
  }

  async redeem(reward) {
    if (this.state.busy) return; // one redemption at a time: a double click spends once
    const key = idempotencyKey(); // a fresh key for this intent
    this.state.busy = reward.id;
    this.state.problem = null;
    this.render();
    try {
      const result = await this.api.redeem(reward.id, key);
      this.state.account = { ...this.state.account, ...result.account };
      this.state.fresh = result.coupon;
      this.state.coupons = [result.coupon, ...this.state.coupons];
      this.state.history = [result.transaction, ...this.state.history].slice(0, HISTORY_LINES);
    } catch (error) {
      const kind = error instanceof PanelError ? error.kind : "unknown";
      const balance = this.state.account?.points?.balance ?? 0;
      this.state.problem = kind === "refused" && reward.points > balance ? "notEnough" : kind;
    } finally {
      this.state.busy = null;
      this.render();
    }
    const target = this.content.querySelector(this.state.fresh ? ".coupon button" : ".error");
    if (target) (target.tagName === "BUTTON" ? target : this.content).focus?.();
  }

  async copy(code, button) {
    try {
      await navigator.clipboard.writeText(code);
      button.textContent = this.s.copied;
    } catch {
      const selection = this.root.getSelection?.() || document.getSelection();
      const node = button.parentElement.querySelector(".code");
      if (selection && node) selection.selectAllChildren(node);
      button.textContent = this.s.copyByHand;
    }
  }

  render() {
    const { view, program, account, coupons, history, busy, fresh, problem } = this.state;
    const views = this.views;
    let parts;
    if (view === "loading") parts = [h("p", { class: "muted" }, this.s.loading)];
    else if (view === "error") parts = [views.error(problem), h("button", { type: "button", onclick: () => this.load() }, this.s.retry)];
    else {
      parts = program && program.active === false ? [h("p", { class: "notice" }, this.s.paused)] : [];
      if (view === "visitor") parts.push(...views.visitor(program));
      else if (view === "guest") parts.push(...views.guest(program, account));
      else if (view === "excluded") parts.push(...views.excluded());
      else {
        const actions = { redeem: (reward) => this.redeem(reward), copy: (code, button) => this.copy(code, button), busy, fresh, problem };
        parts.push(...views.member(program, account, coupons, history, actions));
      }
    }
    const focused = this.root.activeElement;
    const wasInside = focused && this.content.contains(focused);
    this.content.replaceChildren(...parts.filter(Boolean));
    this.content.dataset.view = view;
    this.setAttribute("data-view", view);
    if (wasInside && this.dialog?.open) (focusables(this.dialog)[0] || this.dialog).focus();
  }
}

if (!customElements.get("loyalty-panel")) customElements.define("loyalty-panel", LoyaltyPanel);
