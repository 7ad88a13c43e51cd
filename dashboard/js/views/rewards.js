// The rewards catalog: list, create, edit, retire.

import { field, formatPoints, h, isolated } from "../dom.js";
import { writeAction, wholeNumber } from "../ui.js";

const KINDS = [
  ["amount_off", "Amount off"],
  ["percent_off", "Percent off"],
  ["free_shipping", "Free shipping"],
];

/** An id from a name, as a suggestion: "€10 off" → "10-off" (letters, digits and dashes). */
export function suggestedId(name) {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}

function describeValue(reward) {
  if (reward.kind === "amount_off") return `${reward.value} ${reward.currency || ""}`.trim();
  if (reward.kind === "percent_off") return `${reward.value}%`;
  return "free shipping";
}

export async function renderRewards(dashboard, container, options = {}) {
  const catalog = await dashboard.api.request("GET", dashboard.path("/rewards"));
  const rewards = catalog.items || [];
  const editing = options.edit ? rewards.find((reward) => reward.id === options.edit) : null;
  container.append(h("h2", {}, "Rewards catalog"));
  if (rewards.length) {
    container.append(
      h(
        "div",
        { class: "scroll" },
        h(
        "table",
        { class: "rewards" },
        h("thead", {}, h("tr", {}, ...["Reward", "Points", "Value", "State", "Actions"].map((name) => h("th", { scope: "col" }, name)))),
        h(
          "tbody",
          {},
          ...rewards.map((reward) =>
            h(
              "tr",
              { "data-reward": reward.id },
              h("th", { scope: "row" }, isolated(reward.name), " ", h("small", { class: "hint" }, "(", isolated(reward.id), ")")),
              h("td", { class: "number" }, formatPoints(reward.points)),
              h("td", {}, describeValue(reward)),
              h("td", {}, reward.active ? "active" : "retired"),
              h(
                "td",
                {},
                h("button", { type: "button", class: "secondary", onclick: () => dashboard.show("rewards", { edit: reward.id }) }, "Edit ", isolated(reward.name)),
                reward.active ? retireForm(dashboard, reward) : null,
              ),
            ),
          ),
        ),
      ),
      ),
    );
  } else {
    container.append(h("p", { class: "empty" }, "No rewards yet: create the first one below."));
  }
  container.append(rewardForm(dashboard, editing));
}

function retireForm(dashboard, reward) {
  const form = h(
    "form",
    { class: "inline", "data-action": "retire" },
    h("button", { type: "submit", class: "danger" }, "Retire ", isolated(reward.name)),
  );
  writeAction(form, {
    perform: (_body, key) =>
      dashboard.api.request("DELETE", dashboard.path(`/rewards/${encodeURIComponent(reward.id)}`), { idempotencyKey: key }),
    message: `\u2068${reward.name}\u2069 retired: coupons already issued stay valid.`,
    done: () => dashboard.show("rewards", { keepNotice: true }),
  });
  return form;
}

function rewardForm(dashboard, reward) {
  const id = h("input", { name: "id", type: "text", required: true, maxlength: 64, pattern: "[A-Za-z0-9._\\-]{1,64}", value: reward?.id, readonly: Boolean(reward), autocomplete: "off" });
  const name = h("input", { name: "name", type: "text", required: true, maxlength: 100, value: reward?.name });
  const points = h("input", { name: "points", type: "number", min: "1", max: "10000000", step: "1", required: true, value: reward?.points });
  const kind = h("select", { name: "kind" }, ...KINDS.map(([value, label]) => h("option", { value, selected: reward?.kind === value }, label)));
  const value = h("input", { name: "value", type: "text", inputmode: "decimal", value: reward?.value });
  const currency = h("input", { name: "currency", type: "text", maxlength: 3, value: reward?.currency, autocomplete: "off" });
  const valueField = field("Value", value, "An amount for Amount off, a percentage for Percent off");
  const currencyField = field("Currency", currency, "Three letters, e.g. EUR");
  // Only what the kind takes is shown: free shipping has no value, only an amount has a currency.
  const showTerms = () => {
    valueField.hidden = kind.value === "free_shipping";
    currencyField.hidden = kind.value !== "amount_off";
    value.required = !valueField.hidden;
    currency.required = !currencyField.hidden;
  };
  kind.addEventListener("change", showTerms);
  showTerms();
  if (!reward) {
    // The id follows the name until the merchant types an id of their own.
    let suggested = "";
    name.addEventListener("input", () => {
      if (id.value === suggested) {
        suggested = suggestedId(name.value);
        id.value = suggested;
      }
    });
  }
  const form = h(
    "form",
    { class: "settings reward-form", "data-form": "reward" },
    h("h3", {}, reward ? ["Edit ", isolated(reward.name)] : "New reward"),
    field("Name", name),
    field("Id", id, reward ? "An id cannot change" : "Suggested from the name; letters, digits, dots, dashes, underscores; it cannot change later"),
    field("Points", points),
    field("Kind", kind),
    valueField,
    currencyField,
    h(
      "div",
      { class: "buttons" },
      h("button", { type: "submit" }, reward ? "Save reward" : "Create reward"),
      reward ? h("button", { type: "button", class: "secondary", onclick: () => dashboard.show("rewards") }, "Cancel") : null,
    ),
    h("p", { class: "form-error", role: "alert" }),
  );
  writeAction(form, {
    collect: () => {
      const body = { id: id.value.trim(), name: name.value.trim(), points: wholeNumber(points.value, "Points"), kind: kind.value };
      if (kind.value !== "free_shipping") body.value = value.value.trim();
      if (kind.value === "amount_off") body.currency = currency.value.trim().toUpperCase();
      if (reward) {
        delete body.id; // the id is in the path
        body.active = reward.active;
      }
      return body;
    },
    perform: (body, key) =>
      reward
        ? dashboard.api.request("PUT", dashboard.path(`/rewards/${encodeURIComponent(reward.id)}`), { body, idempotencyKey: key })
        : dashboard.api.request("POST", dashboard.path("/rewards"), { body, idempotencyKey: key }),
    message: reward ? "Reward saved." : "Reward created.",
    done: () => dashboard.show("rewards", { keepNotice: true }),
  });
  return form;
}
