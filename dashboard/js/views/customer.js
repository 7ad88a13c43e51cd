// One customer's card: status, contact, points, merged guest files, history, and the actions
// Give points, Edit balance, Redeem, Exclude / Include, Birthday.

import { append, displayName, field, formatPoints, formatTime, h, isolated, replace } from "../dom.js";
import { notify, showError, wholeNumber, writeAction } from "../ui.js";
import { birthdayForm, birthdayWords } from "./birthday.js";
import { privacyForms } from "./privacy.js";
import { tierDefinitions } from "./tier-settings.js";

const STATUS_WORDS = { member: "Member", candidate: "Guest (not a member yet)", excluded: "Excluded", merged: "Merged" };
const HISTORY_PAGE = 20;

function definition(term, value, name) {
  return [h("dt", {}, term), h("dd", { "data-field": name }, value ?? "—")];
}

// What a history entry is, in words (the API's types are for programs).
const TYPE_WORDS = {
  earn: "Points earned",
  adjust: "Adjusted by hand",
  redeem: "Redeemed",
  refund: "Coupon voided: points given back",
  reverse: "Order refunded: points taken back",
  expire: "Points expired",
  merge_in: "Merged from guest file",
  merge_out: "Points moved out of the guest file",
  pending: "Points pending (return window)",
  release: "Pending points released",
  cancel: "Order refunded: pending points cancelled",
  bonus: "Bonus",
};

/** A required field's label, saying so (the browser enforces it; the label tells the merchant). */
function required(text) {
  return [text, " ", h("span", { class: "required" }, "(required)")];
}

// A transaction's answer carries the account; PUT and DELETE answer the account itself.
function balanceOf(result) {
  return (result?.account || result)?.points?.balance;
}

// Points of orders inside the store's return window: not in the balance until released.
function pendingDefinitions(customer) {
  if (customer.points.pending === undefined) return [];
  const release = customer.pending_release_at ? `next release ${formatTime(customer.pending_release_at)}` : "nothing waiting";
  return definition("Pending", `${formatPoints(customer.points.pending)} (${release})`, "pending");
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
  const openCard = (id) => dashboard.show("customer", { customerId: id, from: options.from });
  const guestLink = (id) =>
    h("button", { type: "button", class: "link", "data-guest": id, onclick: () => openCard(id) }, isolated(id));
  const merged = customer.merged_customer_ids || [];

  append(
    container,
    h(
      "p",
      {},
      h("button", { type: "button", class: "link", onclick: () => dashboard.show("customers", options.from || {}) }, "← Back to the customers"),
    ),
    h("h2", {}, isolated(displayName(customer))),
    customer.merged_from
      ? h(
          "p",
          { class: "hint", "data-field": "merged_from" },
          "Guest file ",
          isolated(customer.merged_from),
          " was merged into this account: its points and orders are here.",
        )
      : null,
    h(
      "section",
      { class: "customer-card", "aria-label": "Customer details" },
      h(
        "dl",
        { class: "facts" },
        ...definition("Customer id", isolated(customer.customer_id), "customer_id"),
        ...definition("Status", STATUS_WORDS[customer.status] || customer.status, "status"),
        ...definition("Email", isolated(customer.email), "email"),
        ...definition("First name", isolated(customer.first_name), "first_name"),
        ...definition("Last name", isolated(customer.last_name), "last_name"),
        ...definition("Birthday", birthdayWords(customer.birthday), "birthday"),
        ...definition("Tags", (customer.tags || []).length ? customer.tags.flatMap((tag, index) => [index ? ", " : "", isolated(tag)]) : "—", "tags"),
        ...definition("Balance", formatPoints(points.balance), "balance"),
        ...definition("Earned", formatPoints(points.earned), "earned"),
        ...definition("Adjusted", formatPoints(points.adjusted), "adjusted"),
        ...definition("Redeemed", formatPoints(points.redeemed), "redeemed"),
        ...(points.expired !== undefined ? definition("Expired", formatPoints(points.expired), "expired") : []),
        ...pendingDefinitions(customer),
        ...tierDefinitions(customer, definition),
        ...definition("Revision", String(customer.revision), "revision"),
        ...definition("Last activity", formatTime(customer.last_activity_at), "last_activity_at"),
        ...definition("Merged guest files", merged.length ? merged.flatMap((id, index) => [index ? ", " : "", guestLink(id)]) : "none", "merged"),
        ...(customer.erased_at ? definition("Personal data erased", formatTime(customer.erased_at), "erased_at") : []),
      ),
    ),
  );

  const actions = h("section", { class: "actions", "aria-labelledby": "actions-heading" }, h("h3", { id: "actions-heading" }, "Actions"));
  container.append(actions);
  actions.append(givePointsForm(dashboard, base, reload));
  actions.append(editBalanceForm(dashboard, base, customer, reload));
  actions.append(await redeemForm(dashboard, base, customer, reload));
  actions.append(exclusionForm(dashboard, base, customer, reload));
  actions.append(birthdayForm(dashboard, base, customer, reload));
  actions.append(...privacyForms(dashboard, base, customer, reload));

  const history = h("section", { "aria-labelledby": "history-heading" }, h("h3", { id: "history-heading" }, "History"));
  container.append(history);
  await renderHistory(dashboard, base, history, customer.customer_id, guestLink);
}

function givePointsForm(dashboard, base, reload) {
  const amount = h("input", { name: "amount", type: "number", step: "1", required: true, inputmode: "numeric" });
  const reason = h("input", { name: "reason", type: "text", required: true, maxlength: 200, value: "" });
  const form = h(
    "form",
    { class: "action", "data-action": "give-points" },
    h("h4", {}, "Give points"),
    field(required("Points (negative to take away)"), amount),
    field(required("Reason"), reason, "Shown in the customer's history"),
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
    field(required("New balance"), balance),
    field(required("Reason"), reason),
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
    ...rewards.map((reward) => h("option", { value: reward.id }, `\u2068${reward.name}\u2069 — ${formatPoints(reward.points)} points`)),
  );
  const coupon = h("output", { class: "coupon", "aria-live": "polite" });
  append(
    form,
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

/** The entry's details in words: its reason, the order and coupon it names (once), a shortfall. */
function entryDetails(entry) {
  const merge = entry.type === "merge_in" || entry.type === "merge_out";
  const reason = merge ? "" : entry.reason || "";
  const parts = [];
  if (reason) parts.push(isolated(reason));
  if (entry.order_id && !reason.includes(`order ${entry.order_id}`)) parts.push(["order ", isolated(entry.order_id)]);
  if (entry.coupon_code && !reason.includes(entry.coupon_code)) parts.push(["coupon ", isolated(entry.coupon_code)]);
  if (entry.type === "pending" && entry.available_at) parts.push(`not in the balance until ${formatTime(entry.available_at)}`);
  if (entry.shortfall) parts.push(`${formatPoints(entry.shortfall)} points could not be taken (the balance was too low)`);
  return parts.flatMap((part, index) => (index ? [" · ", part] : [part]));
}

/** What an entry is, in words; a merged guest file's entries say which file, with a link to it. */
function entryKind(entry, owner, guestLink) {
  const words = TYPE_WORDS[entry.type] || entry.type;
  if (entry.type === "merge_in") {
    const guest = entry.id.startsWith("merge_in:") ? entry.id.slice("merge_in:".length) : null;
    return guest ? [words, " ", guestLink(guest)] : words;
  }
  if (entry.customer_id && entry.customer_id !== owner) {
    return [words, h("br"), h("small", { class: "hint" }, "on guest file ", guestLink(entry.customer_id))];
  }
  return words;
}

async function renderHistory(dashboard, base, section, owner, guestLink) {
  const body = h("tbody");
  const table = h(
    "table",
    { class: "history" },
    h("thead", {}, h("tr", {}, ...["When", "What", "Points", "Balance after", "Details"].map((name) => h("th", { scope: "col" }, name)))),
    body,
  );
  const more = h("div", { class: "pager" });
  section.append(h("div", { class: "scroll" }, table), more);
  async function load(cursor) {
    const page = await dashboard.api.request("GET", `${base}/transactions`, { query: { limit: HISTORY_PAGE, cursor } });
    for (const entry of page.items) {
      const details = entryDetails(entry);
      body.append(
        h(
          "tr",
          { "data-type": entry.type },
          h("td", {}, formatTime(entry.created_at)),
          h("td", {}, entryKind(entry, owner, guestLink)),
          h("td", { class: "number" }, entry.points > 0 ? `+${formatPoints(entry.points)}` : formatPoints(entry.points)),
          h("td", { class: "number" }, formatPoints(entry.balance_after)),
          h("td", {}, details.length ? details : "—"),
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
