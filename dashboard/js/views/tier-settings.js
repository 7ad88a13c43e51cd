// The program page's "VIP tiers" fields (up to five tiers and their window), and the tier lines of
// a customer's card. The API checks everything again; these checks only say it earlier, in words.

import { field, formatPoints, formatTime, h, isolated } from "../dom.js";

const MAX_TIERS = 5;
// [field, column heading, input type, attributes]; no placeholders: an empty row must look empty.
const COLUMNS = [
  ["id", "Id", "text", { maxlength: "32", size: "8", autocapitalize: "off" }],
  ["name", "Name", "text", { maxlength: "100", size: "10" }],
  ["threshold", "Threshold (points)", "number", { min: "1", step: "1" }],
  ["earn_multiplier", "Multiplier", "text", { inputmode: "decimal", size: "5" }],
  ["entry_bonus", "Entry bonus", "number", { min: "0", max: "1000000", step: "1" }],
];

function tierRow(tier, number) {
  const inputs = {};
  const cells = COLUMNS.map(([name, label, type, attributes]) => {
    const value = tier[name] ?? "";
    const id = `tier-${name}-${number}`;
    inputs[name] = h("input", { id, name: `tier_${name}_${number}`, type, value: String(value), ...attributes });
    // A label of its own for each control (the column heading shows it to sighted merchants).
    return h("td", {}, h("label", { for: id, class: "visually-hidden" }, `Tier ${number}: ${label}`), inputs[name]);
  });
  return { row: h("tr", { "data-tier": String(number) }, ...cells), inputs };
}

function readTier(inputs, number) {
  const text = (name) => inputs[name].value.trim();
  if (COLUMNS.every(([name]) => !text(name))) return null; // an empty row: no tier
  const id = text("id");
  if (!/^[a-z0-9-]{1,32}$/.test(id)) throw new Error(`Tier ${number}: the id is 1 to 32 lower-case letters, digits or dashes.`);
  if (!text("name")) throw new Error(`Tier ${number}: give it a name shoppers see.`);
  if (!/^\d+$/.test(text("threshold")) || Number(text("threshold")) < 1) throw new Error(`Tier ${number}: the threshold is a whole number of points, 1 or more.`);
  const multiplier = text("earn_multiplier") || "1";
  if (!/^([1-9](\.\d{1,2})?|10(\.0{1,2})?)$/.test(multiplier)) throw new Error(`Tier ${number}: the multiplier is from 1 to 10 with at most two decimals, e.g. 1.25.`);
  const bonus = text("entry_bonus") || "0";
  if (!/^\d+$/.test(bonus) || Number(bonus) > 1000000) throw new Error(`Tier ${number}: the entry bonus is 0 to 1,000,000 points.`);
  return { id, name: text("name"), threshold: Number(text("threshold")), earn_multiplier: multiplier, entry_bonus: Number(bonus) };
}

/** The tiers' fieldset for the program page, and `collect()` giving `{tiers, tier_window_months}`. */
export function tierSettings(program) {
  const tiers = program.tiers || [];
  const rows = Array.from({ length: MAX_TIERS }, (_, index) => tierRow(tiers[index] || {}, index + 1));
  const lifetime = program.tier_window_months === null;
  const windowMonths = h("input", { name: "tier_window_months", type: "number", min: "1", max: "36", step: "1", value: lifetime ? "" : String(program.tier_window_months ?? 12), disabled: lifetime });
  const forever = h("input", { name: "tier_lifetime", type: "checkbox", checked: lifetime });
  forever.id = "tier-lifetime";
  forever.addEventListener("change", () => {
    windowMonths.disabled = forever.checked;
    if (!forever.checked && !windowMonths.value) windowMonths.value = "12";
  });
  const fieldset = h(
    "fieldset",
    { class: "panel-settings tier-settings" },
    h("legend", {}, "VIP tiers"),
    h("p", { class: "hint" }, "Up to five tiers, lowest threshold first, e.g. silver, Silver, 500 points, ×1.25, 100 bonus points; leave a row empty for no tier. Customers reach a tier with the points they earned in the window (never their balance), keep it at least a window's length, earn with its multiplier (empty: 1) from their next order, and get its entry bonus once."),
    h(
      "div",
      { class: "scroll" },
      h("table", { class: "tiers" }, h("thead", {}, h("tr", {}, ...COLUMNS.map(([, label]) => h("th", { scope: "col" }, label)))), h("tbody", {}, ...rows.map(({ row }) => row))),
    ),
    field("Window (months of points that count)", windowMonths, "1 to 36; points from that many calendar months back count"),
    h("div", { class: "field checkbox" }, forever, h("label", { for: forever.id }, "Lifetime: every point ever counts, and tiers never fall")),
  );
  const collect = () => {
    const chosen = rows.map(({ inputs }, index) => readTier(inputs, index + 1)).filter(Boolean);
    for (let index = 1; index < chosen.length; index += 1) {
      if (chosen[index].threshold <= chosen[index - 1].threshold) throw new Error("Tier thresholds must go up from one tier to the next.");
    }
    if (new Set(chosen.map((tier) => tier.id)).size !== chosen.length) throw new Error("Each tier needs its own id.");
    let months = null;
    if (!forever.checked) {
      const text = windowMonths.value.trim();
      if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 36) throw new Error("The tiers' window is 1 to 36 months, or lifetime.");
      months = Number(text);
    }
    return { tiers: chosen, tier_window_months: months };
  };
  return { fieldset, collect };
}

/** The card's tier lines: the tier held (since, kept until) and the progress to the next. */
export function tierDefinitions(customer, definition) {
  if (!("qualifying_points" in customer)) return [];
  const tier = customer.tier;
  const held = tier
    ? [isolated(tier.name), tier.since ? ` since ${formatTime(tier.since)}` : "", tier.kept_until ? `, kept until ${formatTime(tier.kept_until)}` : ""]
    : "none";
  const next = customer.next_tier;
  const progress = next ? [`${formatPoints(customer.qualifying_points)} (${formatPoints(next.points_needed)} more for `, isolated(next.name), ")"] : formatPoints(customer.qualifying_points);
  return [...definition("Tier", held, "tier"), ...definition("Qualifying points", progress, "qualifying_points")];
}
