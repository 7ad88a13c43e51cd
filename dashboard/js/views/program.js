// The store's program settings: rate, guests earn, excluded tags, paused, expiry, storefront origins,
// the return window (pending_days), the storefront panel's presentation, the VIP tiers, the ways to
// earn and the bonus campaigns.

import { field, h } from "../dom.js";
import { writeAction } from "../ui.js";
import { earnSettings } from "./earn-settings.js";
import { panelSettings } from "./panel-settings.js";
import { tierSettings } from "./tier-settings.js";

function lines(text, separator) {
  return text
    .split(separator)
    .map((part) => part.trim())
    .filter(Boolean);
}

export async function renderProgram(dashboard, container) {
  const program = await dashboard.api.request("GET", dashboard.path("/program"));
  const rate = h("input", { name: "points_per_currency_unit", type: "text", inputmode: "decimal", required: true, value: program.points_per_currency_unit });
  const guests = h("input", { name: "guests_earn_points", type: "checkbox", checked: program.guests_earn_points });
  const paused = h("input", { name: "paused", type: "checkbox", checked: !program.active });
  const tags = h("input", { name: "excluded_customer_tags", type: "text", value: (program.excluded_customer_tags || []).join(", ") });
  const form = h(
    "form",
    { class: "settings", "data-form": "program" },
    field("Points per currency unit", rate, "A decimal, e.g. 1 or 1.5: points for each unit of an order's subtotal"),
    h("div", { class: "field checkbox" }, guests, h("label", { for: (guests.id = "program-guests") }, "Guests earn points")),
    h("div", { class: "field checkbox" }, paused, h("label", { for: (paused.id = "program-paused") }, "Paused (orders earn nothing)")),
    field("Excluded customer tags", tags, "Comma-separated: customers with any of these tags earn nothing"),
  );
  // The expiry and the storefront origins are sent when the API has them (issue 15's program).
  let expiry = null;
  let origins = null;
  let pendingDays = null;
  if ("points_expiry_months" in program) {
    expiry = h("input", { name: "points_expiry_months", type: "number", min: "1", max: "60", step: "1", value: program.points_expiry_months ?? "" });
    form.append(field("Points expire after (months without activity)", expiry, "Empty: points never expire; 1 to 60"));
  }
  if ("pending_days" in program) {
    pendingDays = h("input", { name: "pending_days", type: "number", min: "0", max: "90", step: "1", required: true, value: program.pending_days });
    form.append(field("Return window (days points stay pending)", pendingDays, "0: an order's points can be spent at once; 1 to 90: they wait that many days after the order, and a refund meanwhile cancels them"));
  }
  if ("storefront_origins" in program) {
    origins = h("textarea", { name: "storefront_origins", rows: 3 }, (program.storefront_origins || []).join("\n"));
    form.append(field("Storefront origins", origins, "One per line, e.g. https://shop.example.com: pages that may call the storefront API"));
  }
  const panel = "panel" in program ? panelSettings(program) : null;
  if (panel) form.append(panel.fieldset);
  const tiers = "tiers" in program ? tierSettings(program) : null;
  if (tiers) form.append(tiers.fieldset);
  const earn = "ways_to_earn" in program ? earnSettings(program) : null;
  if (earn) form.append(...earn.fieldsets);
  form.append(h("button", { type: "submit" }, "Save settings"), h("p", { class: "form-error", role: "alert" }));
  writeAction(form, {
    collect: () => {
      const body = {
        // Settings this page does not edit are sent back as they were read (left out, they would reset).
        ...Object.fromEntries(["events_include_email", "expiry_reminder_days"].filter((name) => name in program).map((name) => [name, program[name]])),
        active: !paused.checked,
        points_per_currency_unit: rate.value.trim(),
        guests_earn_points: guests.checked,
        excluded_customer_tags: lines(tags.value, ","),
      };
      if (expiry) {
        const text = expiry.value.trim();
        if (text && !/^\d+$/.test(text)) throw new Error("The expiry is a whole number of months, or empty.");
        body.points_expiry_months = text ? Number(text) : null;
      }
      if (origins) body.storefront_origins = lines(origins.value, /\n/);
      if (pendingDays) {
        const days = pendingDays.value.trim();
        if (!/^\d+$/.test(days) || Number(days) > 90) throw new Error("The return window is a whole number of days from 0 to 90.");
        body.pending_days = Number(days);
      }
      if (panel) body.panel = panel.collect();
      if (tiers) Object.assign(body, tiers.collect());
      if (earn) Object.assign(body, earn.collect());
      return body;
    },
    perform: (body, key) => dashboard.api.request("PUT", dashboard.path("/program"), { body, idempotencyKey: key }),
    message: "Settings saved.",
  });
  container.append(h("h2", {}, "Program settings"), form);
}
