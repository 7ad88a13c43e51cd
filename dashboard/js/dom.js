// A few DOM helpers: the page is built with plain elements (docs/decisions/dashboard-plain-modules.md).

/** h("button", {type: "button", onclick}, "Save") → an element; attributes, then children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  appendAll(element, children);
  return element;
}

/** Append children, skipping null, undefined and false (the DOM's own append writes "null"). */
export function append(element, ...children) {
  appendAll(element, children);
  return element;
}

function appendAll(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Text that came from the API (names, emails, ids, reasons), isolated in a <bdi>: its own
 * direction never reorders what is around it (a "\u202e" in an email cannot make it read as
 * another address, nor spill into the next cell). Empty text shows `fallback`.
 */
export function isolated(value, fallback = "—") {
  const text = value === undefined || value === null ? "" : String(value);
  return text ? h("bdi", {}, text) : fallback;
}

/** A customer's name as a merchant reads it: first and last name, else the email, else the id. */
export function displayName(customer) {
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");
  return name || customer.email || customer.customer_id;
}

let counter = 0;
/** A labelled control: <label for=id>text</label> + the control, in a .field wrapper. */
export function field(text, control, hint) {
  counter += 1;
  const id = control.id || `field-${counter}`;
  control.id = id;
  const parts = [h("label", { for: id }, text), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute("aria-describedby", hintId);
    parts.push(h("small", { id: hintId, class: "hint" }, hint));
  }
  return h("div", { class: "field" }, ...parts);
}

export function replace(container, ...children) {
  container.replaceChildren();
  appendAll(container, children);
  return container;
}

export const numberFormat = new Intl.NumberFormat(undefined);

export function formatPoints(value) {
  return numberFormat.format(value ?? 0);
}

export function formatTime(text) {
  if (!text) return "—";
  const moment = new Date(text);
  return Number.isNaN(moment.getTime()) ? text : moment.toLocaleString();
}
