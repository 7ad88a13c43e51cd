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
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
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
  append(container, children);
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
