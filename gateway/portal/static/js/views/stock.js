import { h, refillCells, table } from "../dom.js";
import { date, money, quantity } from "../format.js";
import { STOCK, STOCK_CHANGED } from "../operations.js";
import { field, pages } from "./orders.js";

const MAX_WATCHED = 50; // the items one itemAvailabilityChanged may watch

export async function stock({ client, params, live }) {
  const search = h("input", { type: "search", name: "search", placeholder: "Item name or number", autocomplete: "off", value: params.query.get("search") || "" });
  const results = h("div", { id: "stock-results" });
  let unwatch = () => {};

  // The items on screen (the first 50) are watched: a change of stock shows in its row.
  function watch(nodes) {
    unwatch();
    const shown = new Map(nodes.slice(0, MAX_WATCHED).map((item) => [item.number, item]));
    if (!shown.size) return;
    unwatch = live.subscribe(STOCK_CHANGED, { numbers: [...shown.keys()] }, ({ itemAvailabilityChanged: changed }) => {
      const item = shown.get(changed.number);
      const row = results.querySelector(`tr[data-item="${CSS.escape(changed.number)}"]`);
      if (!item || !row) return;
      Object.assign(item, changed);
      refillCells(row, STOCK_COLUMNS, item);
    });
  }

  async function load() {
    const render = (nodes) => (watch(nodes), stockTable(nodes));
    await pages(client, results, STOCK, { search: search.value.trim() || null }, (data) => data.items, render, "No items match your search.");
  }
  await load();
  return h(
    "section",
    {},
    h("h1", {}, "Stock"),
    h("p", { class: "subtitle" }, "What we have in stock now, what is already promised to orders, and when more arrives."),
    h(
      "form",
      { class: "filters", role: "search", onsubmit: (event) => (event.preventDefault(), load()) },
      field("Search", search, "wide"),
      h("button", { type: "submit", class: "button" }, "Search"),
    ),
    results,
  );
}

// The columns itemAvailabilityChanged changes.
const STOCK_COLUMNS = [
  { label: "Price", num: true, cell: (i) => `${money(i.unitPrice)}${i.baseUnitOfMeasure ? ` / ${i.baseUnitOfMeasure.code}` : ""}` },
  { label: "Available", num: true, cell: (i) => available(i.availability) },
  { label: "Committed", num: true, cell: (i) => quantity(i.availability.committed) },
  { label: "On hand", num: true, cell: (i) => quantity(i.availability.onHand) },
  {
    label: "Next receipt",
    cell: (i) =>
      i.availability.nextReceiptDate ? `${date(i.availability.nextReceiptDate)} (${quantity(i.availability.nextReceiptQuantity)})` : "—",
  },
];

function stockTable(nodes) {
  return table(
    [{ label: "Item", cell: (i) => i.number }, { label: "Name", cell: (i) => i.name }, ...STOCK_COLUMNS],
    nodes,
    { caption: "Stock", rowAttributes: (i) => ({ "data-item": i.number }) },
  );
}

function available(availability) {
  const value = availability.available ?? availability.onHand;
  return h("span", { class: Number(value) > 0 ? "positive" : "negative" }, quantity(value));
}
