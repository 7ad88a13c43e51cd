// The program page's "Storefront panel" fields: how the shopper-facing panel presents the program.

import { field, h } from "../dom.js";

const URL_HINT = "https://… (http:// only for localhost or 127.0.0.1); empty: no link";

/** The panel's fields for the program page, and `collect()` giving the `panel` object to PUT. */
export function panelSettings(program) {
  const panel = program.panel || {};
  const input = (name, attributes = {}) =>
    h("input", { name: `panel_${name}`, type: "text", value: panel[name] ?? "", ...attributes });
  const name = input("name", { maxlength: "100" });
  const currency = input("currency", { maxlength: "3", size: "4", autocapitalize: "characters" });
  const signup = input("signup_url", { type: "url" });
  const login = input("login_url", { type: "url" });
  const accent = input("accent_color", { placeholder: "#1f6f4a", maxlength: "7", size: "8" });
  const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
  const paint = () => {
    swatch.style.background = /^#[0-9a-fA-F]{6}$/.test(accent.value.trim()) ? accent.value.trim() : "transparent";
  };
  accent.addEventListener("input", paint);
  paint();
  const accentField = field("Accent colour", accent, "#rrggbb, e.g. #1f6f4a; empty: the panel's own green");
  accentField.append(swatch);
  const fieldset = h(
    "fieldset",
    { class: "panel-settings" },
    h("legend", {}, "Storefront panel"),
    field("Program name", name, "What shoppers see, e.g. Acme Rewards"),
    field("Currency", currency, "Three capital letters, e.g. EUR: the currency the earning rate is shown in"),
    field("Sign-up page", signup, URL_HINT),
    field("Log-in page", login, URL_HINT),
    accentField,
  );
  const collect = () => {
    const value = (control) => control.value.trim() || null;
    const settings = {
      name: value(name),
      currency: value(currency)?.toUpperCase() ?? null,
      signup_url: value(signup),
      login_url: value(login),
      accent_color: value(accent),
    };
    if (settings.currency && !/^[A-Z]{3}$/.test(settings.currency)) throw new Error("The panel's currency is three letters, e.g. EUR.");
    if (settings.accent_color && !/^#[0-9a-fA-F]{6}$/.test(settings.accent_color)) {
      throw new Error("The accent colour is written #rrggbb, e.g. #1f6f4a.");
    }
    return settings;
  };
  return { fieldset, collect };
}
