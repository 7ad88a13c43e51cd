// Coupons: look one up by its code (a customer reads it at the counter, or support asks about
// one), mark it used by an order, or void it (its points go back to the customer, once).

import { field, formatPoints, formatTime, h, isolated, replace } from "../dom.js";
import { showError, writeAction } from "../ui.js";

const CODE = /^[A-Za-z0-9-]{1,64}$/;
const STATUS_WORDS = { issued: "Issued (not used yet)", used: "Used", void: "Void (points given back)" };

function describeValue(coupon) {
  if (coupon.kind === "amount_off") return `${coupon.value} ${coupon.currency || ""} off`.trim();
  if (coupon.kind === "percent_off") return `${coupon.value}% off`;
  return "Free shipping";
}

export async function renderCoupons(dashboard, container, options = {}) {
  const code = h("input", { name: "code", type: "text", required: true, maxlength: 64, autocomplete: "off", spellcheck: "false", value: options.code });
  const lookup = h(
    "form",
    { class: "search", role: "search", "data-form": "coupon-lookup" },
    field("Coupon code", code, "As the customer shows it: 16 letters and digits"),
    h("button", { type: "submit" }, "Look up"),
  );
  const result = h("div", { class: "coupon-result", "aria-live": "polite" });
  container.append(h("h2", {}, "Coupons"), lookup, result);
  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    dashboard.show("coupons", { code: code.value.trim() });
  });
  if (!options.code) return;
  if (!CODE.test(options.code)) {
    showError("A coupon code is 1 to 64 letters, digits or dashes.");
    return;
  }
  const path = dashboard.path(`/coupons/${encodeURIComponent(options.code)}`);
  let coupon;
  try {
    coupon = await dashboard.api.request("GET", path);
  } catch (error) {
    showError(error);
    replace(result, h("p", { class: "error-text" }, error.status === 404 ? "No coupon has this code in this store." : error.message));
    return;
  }
  const reload = () => dashboard.show("coupons", { code: coupon.code, keepNotice: true });
  replace(
    result,
    h(
      "section",
      { class: "customer-card", "aria-label": "Coupon", "data-coupon": coupon.code },
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Code"),
        h("dd", { class: "coupon" }, isolated(coupon.code)),
        h("dt", {}, "Status"),
        h("dd", { "data-field": "status" }, STATUS_WORDS[coupon.status] || coupon.status),
        h("dt", {}, "Reward"),
        h("dd", {}, describeValue(coupon), " (", isolated(coupon.reward_id), ")"),
        h("dt", {}, "Points spent"),
        h("dd", {}, formatPoints(coupon.points)),
        h("dt", {}, "Customer"),
        h(
          "dd",
          {},
          h(
            "button",
            { type: "button", class: "link", onclick: () => dashboard.show("customer", { customerId: coupon.customer_id }) },
            isolated(coupon.customer_id),
          ),
        ),
        h("dt", {}, "Issued"),
        h("dd", {}, formatTime(coupon.issued_at)),
        ...(coupon.used_at ? [h("dt", {}, "Used"), h("dd", {}, formatTime(coupon.used_at), " by order ", isolated(coupon.order_id))] : []),
        ...(coupon.voided_at ? [h("dt", {}, "Voided"), h("dd", {}, formatTime(coupon.voided_at))] : []),
      ),
    ),
    coupon.status === "issued" ? h("div", { class: "actions" }, useForm(dashboard, path, reload), voidForm(dashboard, path, coupon, reload)) : null,
  );
}

function useForm(dashboard, path, reload) {
  const order = h("input", { name: "order_id", type: "text", required: true, maxlength: 128, autocomplete: "off" });
  const form = h(
    "form",
    { class: "action", "data-action": "use-coupon" },
    h("h4", {}, "Mark as used"),
    field("Order id", order, "The order the checkout applied it to"),
    h("button", { type: "submit" }, "Mark as used"),
    h("p", { class: "form-error", role: "alert" }),
  );
  writeAction(form, {
    collect: () => ({ order_id: order.value.trim() }),
    perform: (body, key) => dashboard.api.request("POST", `${path}/use`, { body, idempotencyKey: key }),
    message: "Marked as used.",
    done: reload,
  });
  return form;
}

function voidForm(dashboard, path, coupon, reload) {
  const form = h(
    "form",
    { class: "action", "data-action": "void-coupon" },
    h("h4", {}, "Void"),
    h("p", { class: "hint" }, `The coupon can no longer be used; its ${formatPoints(coupon.points)} points go back to the customer.`),
    h("button", { type: "submit", class: "danger" }, "Void coupon"),
    h("p", { class: "form-error", role: "alert" }),
  );
  writeAction(form, {
    perform: (_body, key) => dashboard.api.request("DELETE", path, { idempotencyKey: key }),
    message: "Voided: the points are back on the customer's balance.",
    done: reload,
  });
  return form;
}
