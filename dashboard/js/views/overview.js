// The overview: the store's totals as cards, and points earned and redeemed per day (Chart.js).

import { field, formatPoints, h } from "../dom.js";

const POINT_CARDS = [
  ["earned", "Earned"],
  ["redeemed", "Redeemed"],
  ["unredeemed", "Unredeemed"],
  ["adjusted", "Adjusted"],
  ["expired", "Expired"],
  ["frozen", "Frozen (excluded customers)"],
  ["pending", "Pending (return window)"],
];
const CUSTOMER_CARDS = [
  ["members", "Members"],
  ["candidates", "Guests"],
  ["excluded", "Excluded"],
];

function isoDay(moment) {
  return moment.toISOString().slice(0, 10);
}

function card(name, label, value) {
  return h(
    "div",
    { class: "card", "data-total": name },
    h("span", { class: "card-label" }, label),
    h("span", { class: "card-value" }, formatPoints(value)),
  );
}

export async function renderOverview(dashboard, container) {
  const overview = await dashboard.api.request("GET", dashboard.path("/overview"));
  const points = overview.points || {};
  const customers = overview.customers || {};
  container.append(
    h("h2", {}, "Overview"),
    h(
      "section",
      { "aria-labelledby": "points-heading" },
      h("h3", { id: "points-heading" }, "Points"),
      h("div", { class: "cards" }, ...POINT_CARDS.map(([name, label]) => card(name, label, points[name]))),
    ),
    h(
      "section",
      { "aria-labelledby": "customers-heading" },
      h("h3", { id: "customers-heading" }, "Customers"),
      h("div", { class: "cards" }, ...CUSTOMER_CARDS.map(([name, label]) => card(name, label, customers[name]))),
    ),
  );
  const chartSection = h("section", { "aria-labelledby": "chart-heading", class: "chart-section" });
  container.append(chartSection);
  await renderChart(dashboard, chartSection, 30);
}

async function renderChart(dashboard, section, days) {
  const today = new Date();
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (days - 1)));
  const range = h(
    "select",
    { name: "days" },
    ...[7, 30, 90, 365].map((count) => h("option", { value: count, selected: count === days }, `last ${count} days`)),
  );
  range.addEventListener("change", () => {
    section.replaceChildren();
    renderChart(dashboard, section, Number(range.value)).catch((error) => section.append(h("p", { class: "error-text" }, error.message)));
  });
  section.append(h("h3", { id: "chart-heading" }, "Points per day (UTC)"), field("Period", range));
  const activity = await dashboard.api.request("GET", dashboard.path("/activity"), {
    query: { from: isoDay(first), to: isoDay(today) },
  });
  const rows = activity.days || [];
  const earned = rows.reduce((sum, day) => sum + day.earned, 0);
  const redeemed = rows.reduce((sum, day) => sum + day.redeemed, 0);
  const reversed = rows.reduce((sum, day) => sum + day.reversed, 0);
  const canvas = h("canvas", {
    id: "activity-chart",
    role: "img",
    "aria-label": `Points earned (${earned}), taken back by refunds (${reversed}) and redeemed (${redeemed}) per day, ${rows[0]?.date} to ${rows.at(-1)?.date}`,
  });
  // The chart counts points the day orders earn them, and refunds apart; the Earned card is net.
  const explained = h(
    "p",
    { class: "hint", "data-note": "earned" },
    "Earned counts points on the day orders earn them; Refunded counts what refunds took back. ",
    "The Earned card above is net of refunds: earned minus refunded, over all time.",
  );
  const table = h(
    "details",
    { class: "chart-table" },
    h("summary", {}, "The same numbers as a table"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...["Day", "Earned", "Redeemed", "Adjusted", "Expired", "Refunded"].map((name) => h("th", { scope: "col" }, name)))),
      h(
        "tbody",
        {},
        ...rows
          .filter((day) => day.earned || day.redeemed || day.adjusted || day.expired || day.reversed)
          .map((day) =>
            h("tr", {}, h("th", { scope: "row" }, day.date), ...["earned", "redeemed", "adjusted", "expired", "reversed"].map((name) => h("td", {}, formatPoints(day[name])))),
          ),
      ),
    ),
  );
  section.append(h("div", { class: "chart-box" }, canvas), explained, table);
  if (typeof window.Chart !== "function") {
    section.append(h("p", { class: "error-text" }, "The chart library did not load; the table above has the numbers."));
    return;
  }
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((day) => day.date),
      datasets: [
        { label: "Earned", data: rows.map((day) => day.earned), backgroundColor: "#2f7d4f" },
        { label: "Redeemed", data: rows.map((day) => day.redeemed), backgroundColor: "#b5542c" },
        { label: "Refunded", data: rows.map((day) => day.reversed), backgroundColor: "#8a8f2c" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}
