// The program page's "Ways to earn" (a sign-up bonus, a birthday bonus, custom actions) and "Bonus
// campaigns" fields. The API checks everything again; these checks only say it earlier, in words.

import { field, h } from "../dom.js";

const MAX_WAYS = 10;
const MAX_CAMPAIGNS = 10;
const ID = /^[a-z0-9_-]{1,32}$/;
const MULTIPLIER = /^([1-9](\.\d{1,2})?|10(\.0{1,2})?)$/;
const ACTION_COLUMNS = [
  ["id", "Id", "text", { maxlength: "32", size: "8", autocapitalize: "off" }],
  ["name", "Name shoppers see", "text", { maxlength: "100", size: "14" }],
  ["points", "Points", "number", { min: "1", step: "1" }],
  ["per_customer", "Times per customer", "number", { min: "1", step: "1" }],
  ["per_day", "Times per day", "number", { min: "1", step: "1" }],
];

function points(text, what) {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000000) throw new Error(`${what}: points are a whole number from 1 to 1,000,000.`);
  return Number(text);
}

function limit(text, what) {
  if (!text) return null;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000000) throw new Error(`${what} is empty (no limit) or a whole number, 1 or more.`);
  return Number(text);
}

function actionRow(way, number) {
  const inputs = {};
  const cells = ACTION_COLUMNS.map(([name, label, type, attributes]) => {
    const id = `action-${name}-${number}`;
    inputs[name] = h("input", { id, name: `action_${name}_${number}`, type, value: String(way[name] ?? ""), ...attributes });
    return h("td", {}, h("label", { for: id, class: "visually-hidden" }, `Action ${number}: ${label}`), inputs[name]);
  });
  return { row: h("tr", { "data-action": String(number) }, ...cells), inputs };
}

function readAction(inputs, number) {
  const text = (name) => inputs[name].value.trim();
  if (ACTION_COLUMNS.every(([name]) => !text(name))) return null; // an empty row: no action
  const what = `Action ${number}`;
  if (!ID.test(text("id"))) throw new Error(`${what}: the id is 1 to 32 lower-case letters, digits, dashes or underscores (e.g. review).`);
  if (!text("name")) throw new Error(`${what}: give it a name shoppers see, e.g. Write a review.`);
  return {
    id: text("id"),
    kind: "action",
    name: text("name"),
    points: points(text("points"), what),
    per_customer: limit(text("per_customer"), `${what}: times per customer`),
    per_day: limit(text("per_day"), `${what}: times per day`),
  };
}

/** UTC "2026-12-05T00:00:00.000Z" as a datetime-local value ("2026-12-05T00:00"), and back. */
const toLocalInput = (time) => (time ? String(time).slice(0, 16) : "");
const fromLocalInput = (value) => `${value.length === 16 ? `${value}:00` : value}Z`;

function campaignState(campaign) {
  const now = Date.now();
  if (!campaign.starts_at) return "";
  if (Date.parse(campaign.ends_at) <= now) return "ended";
  return Date.parse(campaign.starts_at) <= now ? "running now" : "upcoming";
}

function campaignRow(campaign, number) {
  const input = (name, label, attributes, hint) => {
    const control = h("input", { name: `campaign_${name}_${number}`, value: campaign[name] ?? "", ...attributes });
    control.id = `campaign-${name}-${number}`;
    return [control, field(`${label}`, control, hint)];
  };
  const [id, idField] = input("id", "Id", { type: "text", maxlength: "32", size: "10", autocapitalize: "off" });
  const [name, nameField] = input("name", "Name", { type: "text", maxlength: "100" });
  const [multiplier, multiplierField] = input("multiplier", "Multiplier", { type: "text", inputmode: "decimal", size: "5" }, "1 to 10, e.g. 2");
  const [starts, startsField] = input("starts_at", "Starts (UTC)", { type: "datetime-local", value: toLocalInput(campaign.starts_at) });
  const [ends, endsField] = input("ends_at", "Ends (UTC)", { type: "datetime-local", value: toLocalInput(campaign.ends_at) }, "not included");
  const state = campaignState(campaign);
  const legend = h("legend", {}, `Campaign ${number}`, state ? h("span", { class: `campaign-state ${state.replace(" ", "-")}` }, state) : null);
  const fieldset = h("fieldset", { class: "campaign", "data-campaign": String(number) }, legend, idField, nameField, multiplierField, startsField, endsField);
  return { fieldset, inputs: { id, name, multiplier, starts, ends } };
}

function readCampaign(inputs, number) {
  const text = (name) => inputs[name].value.trim();
  if (Object.keys(inputs).every((name) => !text(name))) return null;
  const what = `Campaign ${number}`;
  if (!ID.test(text("id"))) throw new Error(`${what}: the id is 1 to 32 lower-case letters, digits, dashes or underscores (e.g. double-weekend).`);
  if (!text("name")) throw new Error(`${what}: give it a name shoppers see, e.g. Double points weekend.`);
  if (!MULTIPLIER.test(text("multiplier"))) throw new Error(`${what}: the multiplier is from 1 to 10 with at most two decimals, e.g. 2 or 1.5.`);
  if (!text("starts") || !text("ends")) throw new Error(`${what}: give both the start and the end (UTC).`);
  const startsAt = fromLocalInput(text("starts"));
  const endsAt = fromLocalInput(text("ends"));
  if (Date.parse(endsAt) <= Date.parse(startsAt)) throw new Error(`${what}: the end must come after the start.`);
  return { id: text("id"), name: text("name"), multiplier: text("multiplier"), starts_at: startsAt, ends_at: endsAt };
}

/** The fieldsets for the program page, and `collect()` giving `{ways_to_earn, campaigns}`. */
export function earnSettings(program) {
  const ways = program.ways_to_earn || [];
  const signup = ways.find((way) => way.kind === "signup");
  const birthday = ways.find((way) => way.kind === "birthday");
  // Ways of a kind this page does not know are kept as they are.
  const kept = ways.filter((way) => !["signup", "birthday", "action"].includes(way.kind));
  const actions = ways.filter((way) => way.kind === "action");
  const bonus = (name, way) => h("input", { name, type: "number", min: "1", step: "1", value: way ? String(way.points) : "" });
  const signupPoints = bonus("signup_points", signup);
  const birthdayPoints = bonus("birthday_points", birthday);
  const actionRows = Array.from({ length: Math.min(MAX_WAYS - 2, actions.length + 3) }, (_, index) => actionRow(actions[index] || {}, index + 1));
  const ways_ = h(
    "fieldset",
    { class: "panel-settings tier-settings earn-settings" },
    h("legend", {}, "Ways to earn"),
    h("p", { class: "hint" }, "Fixed points besides orders. They are never multiplied, and earn under the orders' rules: nothing for excluded customers, for guests only when guests earn, nothing while the program is paused."),
    field("Sign-up bonus (points)", signupPoints, "Paid once per customer, the first time they become a member; empty: none"),
    field("Birthday bonus (points)", birthdayPoints, "Paid once a year on the member's birthday; empty: none"),
    h("p", { class: "hint" }, "Actions your store reports (a review, a follow): an id, a name, the points, and how often a customer may earn them (empty: no limit). Leave a row empty for no action."),
    h(
      "div",
      { class: "scroll" },
      h("table", { class: "tiers actions-table" }, h("thead", {}, h("tr", {}, ...ACTION_COLUMNS.map(([, label]) => h("th", { scope: "col" }, label)))), h("tbody", {}, ...actionRows.map(({ row }) => row))),
    ),
  );
  const campaigns = program.campaigns || [];
  const campaignRows = Array.from({ length: Math.min(MAX_CAMPAIGNS, campaigns.length + 2) }, (_, index) => campaignRow(campaigns[index] || {}, index + 1));
  const campaignsSet = h(
    "fieldset",
    { class: "panel-settings campaign-settings" },
    h("legend", {}, "Bonus campaigns"),
    h("p", { class: "hint" }, "Orders placed from the start (included) to the end (not included) earn their points times the multiplier, e.g. 2 for double points. Where campaigns overlap, the largest multiplier applies; a VIP tier's multiplier multiplies it. Times are UTC. Leave a campaign empty to remove it."),
    ...campaignRows.map(({ fieldset }) => fieldset),
  );
  const collect = () => {
    const chosen = [...kept];
    if (signupPoints.value.trim()) chosen.push({ id: signup?.id ?? "signup", kind: "signup", points: points(signupPoints.value.trim(), "Sign-up bonus") });
    if (birthdayPoints.value.trim()) chosen.push({ id: birthday?.id ?? "birthday", kind: "birthday", points: points(birthdayPoints.value.trim(), "Birthday bonus") });
    chosen.push(...actionRows.map(({ inputs }, index) => readAction(inputs, index + 1)).filter(Boolean));
    if (new Set(chosen.map((way) => way.id)).size !== chosen.length) throw new Error("Each way to earn needs its own id (signup and birthday are taken by those bonuses).");
    const running = campaignRows.map(({ inputs }, index) => readCampaign(inputs, index + 1)).filter(Boolean);
    if (new Set(running.map((campaign) => campaign.id)).size !== running.length) throw new Error("Each campaign needs its own id.");
    return { ways_to_earn: chosen, campaigns: running };
  };
  return { fieldsets: [ways_, campaignsSet], collect };
}
