// One customer's card: status, contact, points, merged guest files, history, and the actions
// Give points, Edit balance, Redeem, Exclude / Include.

import { field, formatPoints, formatTime, h, replace } from "../dom.js";
import { notify, showError, wholeNumber, writeAction } from "../ui.js";

const STATUS_WORDS = { member: "Member", candidate: "Guest (not a member yet)", excluded: "Excluded", merged: "Merged" };
const HISTORY_PAGE = 20;

function definition(term, value, name) {
  return [h("dt", {}, term), h("dd", { "data-field": name }, value ?? "—")];
}

// A transaction's answer carries the account; PUT and DELETE answer the account itself.
function balanceOf(result) {
  return (result?.account || result)?.points?.balance;
}

function errorSlot() {
  return h("p", { class: "form-error", role: "alert" });
}

export async function renderCustomer(dashboard, container, options) {
  const customerId = options.customerId;
  const base = dashboard.path(`/customers/${encodeURIComponent(customerId)}`);
  const customer = await dashboard.api.request("GET", base);
  const reload = (notice) => dashboard.show("customer", { ...options, keepNotice: Boolean(notice) });
  const points = customer.points;
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");

  container.append(
    h(
      "p",
      {},
      h("button", { type: "button", class: "link", onclick: () => dashboard.show("customers", options.from || {}) }, "← Back to the customers"),
    ),
    h("h2", {}, name || customer.email || customer.customer_id),
    h(
      "section",
      { class: "customer-card", "aria-label": "Customer details" },
      h(
        "dl",
        { class: "facts" },
        ...definition("Customer id", customer.customer_id, "customer_id"),
        ...definition("Status", STATUS_WORDS[customer.status] || customer.status, "status"),
        ...definition("Email", customer.email, "email"),
        ...definition("First name", customer.first_name, "first_name"),
        ...definition("Last name", customer.last_name, "last_name"),
        ...definition("Tags", (customer.tags || []).join(", ") || "—", "tags"),
        ...definition("Balance", formatPoints(points.balance), "balance"),
        ...definition("Earned", formatPoints(points.earned), "earned"),
        ...definition("Adjusted", formatPoints(points.adjusted), "adjusted"),
        ...definition("Redeemed", formatPoints(points.redeemed), "redeemed"),
        ...(points.expired !== undefined ? definition("Expired", formatPoints(points.expired), "expired") : []),
        ...definition("Revision", String(customer.revision), "revision"),
        ...definition("Last activity", formatTime(customer.last_activity_at), "last_activity_at"),
        ...definition("Merged guest files", (customer.merged_customer_ids || []).join(", ") || "none", "merged"),
      ),
    ),
  );

  const actions = h("section", { class: "actions", "aria-labelledby": "actions-heading" }, h("h3", { id: "actions-heading" }, "Actions"));
  container.append(actions);
  actions.append(givePointsForm(dashboard, base, reload));
  actions.append(editBalanceForm(dashboard, base, customer, reload));
  actions.append(await redeemForm(dashboard, base, customer, reload));
  actions.append(exclusionForm(dashboard, base, customer, reload));

  const history = h("section", { "aria-labelledby": "history-heading" }, h("h3", { id: "history-heading" }, "History"));
  container.append(history);
  await renderHistory(dashboard, base, history);
}

function givePointsForm(dashboard, base, reload) {
  const amount = h("input", { name: "amount", type: "number", step: "1", required: true, inputmode: "numeric" });
  const reason = h("input", { name: "reason", type: "text", required: true, maxlength: 200, value: "" });
  const form = h(
    "form",
    { class: "action", "data-action": "give-points" },
    h("h4", {}, "Give points"),
    field("Points (negative to take away)", amount),
    field("Reason", reason),
    h("button", { type: "submit" }, "Give points"),
    errorSlot(),
  );
  writeAction(form, {
    collect: () => ({ amount: wholeNumber(amount.value, "Points"), reason: reason.value.trim() }),
    perform: (body, key) => dashboard.api.request("POST", `${base}/points`, { body, idempotencyKey: key }),
    message: (result) => `Done: the balance is now ${formatPoints(balanceOf(result))}.`,
    done: () => reload(true),
  });
  return form;
}

function editBalanceForm(dashboard, base, customer, reload) {
  const balance = h("input", { name: "balance", type: "number", min: "0", step: "1", required: true, value: customer.points.balance });
  const reason = h("input", { name: "reason", type: "text", required: true, maxlength: 200 });
  const revision = h("input", { name: "revision", type: "number", readonly: true, value: customer.revision });
  const form = h(
    "form",
    { class: "action", "data-action": "edit-balance" },
    h("h4", {}, "Edit balance"),
    field("New balance", balance),
    field("Reason", reason),
    field("As of revision", revision, "The card's revision: if the customer changed since, the edit is refused"),
    h("button", { type: "submit" }, "Save balance"),
    errorSlot(),
  );
  writeAction(form, {
    collect: () => ({
      balance: wholeNumber(balance.value, "The balance"),
      revision: wholeNumber(revision.value, "The revision"),
      reason: reason.value.trim(),
    }),
    perform: async (body, key) => {
      try {
        return await dashboard.api.request("PUT", `${base}/balance`, { body, idempotencyKey: key });
      } catch (error) {
        if (error.status === 409 && !error.message.includes("excluded")) {
          error.message =
            `This customer changed since you opened the card (revision ${body.revision} is stale), ` +
            `so the balance was not changed. Reload the card to see the current balance. (${error.message})`;
        }
        throw error;
      }
    },
    message: (result) => `Done: the balance is now ${formatPoints(balanceOf(result))}.`,
    done: () => reload(true),
  });
  return form;
}

async function redeemForm(dashboard, base, customer, reload) {
  const form = h("form", { class: "action", "data-action": "redeem" }, h("h4", {}, "Redeem a reward"));
  let rewards;
  try {
    const catalog = await dashboard.api.request("GET", dashboard.path("/rewards"));
    rewards = (catalog.items || []).filter((reward) => reward.active);
  } catch (error) {
    form.append(h("p", { class: "error-text" }, `The rewards catalog could not be read: ${error.message}`));
    return form;
  }
  if (!rewards.length) {
    form.append(h("p", {}, "The catalog has no active reward. Add one under Rewards."));
    return form;
  }
  const choice = h(
    "select",
    { name: "reward_id", required: true },
    ...rewards.map((reward) => h("option", { value: reward.id }, `${reward.name} — ${formatPoints(reward.points)} points`)),
  );
  const coupon = h("output", { class: "coupon", "aria-live": "polite" });
  form.append(
    field("Reward", choice),
    h("button", { type: "submit", disabled: customer.status !== "member" }, "Redeem"),
    customer.status !== "member" ? h("p", { class: "hint" }, "Only members can redeem.") : null,
    coupon,
    errorSlot(),
  );
  writeAction(form, {
    collect: () => ({ reward_id: choice.value }),
    perform: (body, key) => dashboard.api.request("POST", `${base}/redemptions`, { body, idempotencyKey: key }),
    done: async (result) => {
      const code = result.coupon?.code;
      await reload(true);
      notify(`Redeemed. Coupon code: ${code}`);
      const slot = document.querySelector('[data-action="redeem"] .coupon');
      if (slot) slot.textContent = `Coupon code: ${code}`;
    },
  });
  return form;
}

function exclusionForm(dashboard, base, customer, reload) {
  const excluded = customer.status === "excluded";
  const form = h(
    "form",
    { class: "action", "data-action": excluded ? "include" : "exclude" },
    h("h4", {}, excluded ? "Include again" : "Exclude"),
    h(
      "p",
      { class: "hint" },
      excluded
        ? "Gives the customer back the status they had; their frozen points count again."
        : "An excluded customer earns nothing and their points are frozen.",
    ),
    h("button", { type: "submit" }, excluded ? "Include" : "Exclude"),
    errorSlot(),
  );
  writeAction(form, {
    perform: (_body, key) =>
      dashboard.api.request(excluded ? "DELETE" : "PUT", `${base}/exclusion`, { idempotencyKey: key }),
    message: excluded ? "Included again." : "Excluded.",
    done: () => reload(true),
  });
  return form;
}

async function renderHistory(dashboard, base, section) {
  const body = h("tbody");
  const table = h(
    "table",
    { class: "history" },
    h("thead", {}, h("tr", {}, ...["When", "Type", "Points", "Balance after", "Details"].map((name) => h("th", { scope: "col" }, name)))),
    body,
  );
  const more = h("div", { class: "pager" });
  section.append(h("div", { class: "scroll" }, table), more);
  async function load(cursor) {
    const page = await dashboard.api.request("GET", `${base}/transactions`, { query: { limit: HISTORY_PAGE, cursor } });
    for (const entry of page.items) {
      const details = [entry.reason, entry.order_id && `order ${entry.order_id}`, entry.coupon_code && `coupon ${entry.coupon_code}`, entry.shortfall && `shortfall ${entry.shortfall}`]
        .filter(Boolean)
        .join(" · ");
      body.append(
        h(
          "tr",
          {},
          h("td", {}, formatTime(entry.created_at)),
          h("td", {}, entry.type),
          h("td", { class: "number" }, entry.points > 0 ? `+${formatPoints(entry.points)}` : formatPoints(entry.points)),
          h("td", { class: "number" }, formatPoints(entry.balance_after)),
          h("td", {}, details || "—"),
        ),
      );
    }
    if (!body.childElementCount) body.append(h("tr", {}, h("td", { colspan: 5 }, "No transactions yet.")));
    replace(
      more,
      page.next_cursor
        ? h("button", { type: "button", onclick: () => load(page.next_cursor).catch(showError) }, "More history")
        : null,
    );
  }
  await load(null);
}
