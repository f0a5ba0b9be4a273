import { h, table } from "../dom.js";
import { date, money, quantity } from "../format.js";
import { STOCK } from "../operations.js";
import { field, pages } from "./orders.js";

export async function stock({ client, params }) {
  const search = h("input", { type: "search", name: "search", placeholder: "Item name or number", autocomplete: "off", value: params.query.get("search") || "" });
  const results = h("div", { id: "stock-results" });
  async function load() {
    await pages(client, results, STOCK, { search: search.value.trim() || null }, (data) => data.items, stockTable, "No items match your search.");
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

function stockTable(nodes) {
  return table(
    [
      { label: "Item", cell: (i) => i.number },
      { label: "Name", cell: (i) => i.name },
      { label: "Price", num: true, cell: (i) => `${money(i.unitPrice)}${i.baseUnitOfMeasure ? ` / ${i.baseUnitOfMeasure.code}` : ""}` },
      { label: "Available", num: true, cell: (i) => available(i.availability) },
      { label: "Committed", num: true, cell: (i) => quantity(i.availability.committed) },
      { label: "On hand", num: true, cell: (i) => quantity(i.availability.onHand) },
      {
        label: "Next receipt",
        cell: (i) =>
          i.availability.nextReceiptDate ? `${date(i.availability.nextReceiptDate)} (${quantity(i.availability.nextReceiptQuantity)})` : "—",
      },
    ],
    nodes,
    { caption: "Stock" },
  );
}

function available(availability) {
  const value = availability.available ?? availability.onHand;
  return h("span", { class: Number(value) > 0 ? "positive" : "negative" }, quantity(value));
}
