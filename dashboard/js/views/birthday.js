// A customer's birthday on the card: shown in words ("14 March"), and set with a month and a day
// (only those are kept; the program's birthday way pays on that day, 29 February on the 28th in
// other years). The API refuses a day the month does not have; this says it earlier, in words.

import { field, h } from "../dom.js";
import { writeAction } from "../ui.js";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
// Days of each month in a leap year: 29 February is a birthday.
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** "MM-DD" in words, e.g. "14 March" (null: unknown). */
export function birthdayWords(birthday) {
  if (!birthday) return null;
  const [month, day] = birthday.split("-").map(Number);
  return MONTHS[month - 1] ? `${day} ${MONTHS[month - 1]}` : birthday;
}

/** The month and day as the API takes them, or an Error saying what is wrong. */
export function birthdayValue(month, day) {
  const m = Number(month);
  const d = Number(day);
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new Error("Choose the month of the birthday.");
  if (!Number.isInteger(d) || d < 1 || d > DAYS[m - 1]) {
    throw new Error(`${MONTHS[m - 1]} has no day ${day || "(empty)"}: choose a day from 1 to ${DAYS[m - 1]}.`);
  }
  return `${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

export function birthdayForm(dashboard, base, customer, reload) {
  const [month, day] = customer.birthday ? customer.birthday.split("-").map(Number) : [0, ""];
  const monthChoice = h(
    "select",
    { name: "birthday_month", required: true },
    h("option", { value: "" }, "—"),
    ...MONTHS.map((name, index) => h("option", { value: String(index + 1), selected: index + 1 === month }, name)),
  );
  const dayInput = h("input", { name: "birthday_day", type: "number", min: "1", max: "31", step: "1", required: true, value: String(day) });
  const form = h(
    "form",
    { class: "action", "data-action": "birthday" },
    h("h4", {}, customer.birthday ? "Change the birthday" : "Set the birthday"),
    field("Month", monthChoice),
    field("Day", dayInput, "Only the month and day are kept. The program's birthday points are paid on that day."),
    h("button", { type: "submit" }, "Save birthday"),
    h("p", { class: "form-error", role: "alert" }),
  );
  writeAction(form, {
    collect: () => ({ birthday: birthdayValue(monthChoice.value, dayInput.value) }),
    perform: (body) => dashboard.api.request("PUT", `${base}/birthday`, { body }),
    message: (result) => `Saved: the birthday is ${birthdayWords(result.birthday)}.`,
    done: () => reload(true),
  });
  return form;
}
