import { h, flash, replace, refill, refillCells, table, loading, errorBox } from "../dom.js";
import { download } from "../download.js";
import { chip, date, invoiceChip, money, quantity, statusLabel } from "../format.js";
import { INVOICE_PDF, ORDER, ORDERS, PROOF_OF_DELIVERY } from "../operations.js";
import { link } from "./routes.js";

const PAGE = 25;
const STATUSES = ["DRAFT", "PENDING_APPROVAL", "RELEASED", "PARTIALLY_SHIPPED", "SHIPPED", "PARTIALLY_INVOICED", "INVOICED"];

// The columns a live update changes in a list of orders (orderUpdated).
const STATUS_COLUMN = { label: "Status", cell: (o) => chip(o.status) };
const TOTAL_COLUMN = { label: "Total", num: true, cell: (o) => money(o.totalIncludingTax) };
export const ORDER_LIST_COLUMNS = { status: STATUS_COLUMN, total: TOTAL_COLUMN };

// An order row names its order, so that updateOrderRows finds it.
export const orderRow = (o) => ({ "data-order": o.number });

// A changed order, in every row of `container` that shows it.
export function updateOrderRows(container, order) {
  for (const row of container.querySelectorAll(`tr[data-order="${CSS.escape(order.number)}"]`)) {
    refillCells(row, [STATUS_COLUMN, TOTAL_COLUMN], order);
  }
}

export async function orders({ client, live }) {
  const results = h("div", { id: "order-results" });
  const status = h("select", { name: "status" }, h("option", { value: "" }, "All statuses"), STATUSES.map((s) => h("option", { value: s }, statusLabel(s))));
  const from = h("input", { type: "date", name: "from" });
  const to = h("input", { type: "date", name: "to" });
  const number = h("input", { type: "search", name: "number", placeholder: "e.g. 101005", autocomplete: "off" });

  async function load() {
    const filter = {};
    if (status.value) filter.status = [status.value];
    if (from.value) filter.from = from.value;
    if (to.value) filter.to = to.value;
    if (number.value.trim()) filter.number = number.value.trim();
    const render = (nodes) => (live.know(nodes), orderTable(nodes));
    await pages(client, results, ORDERS, { filter }, (data) => data.orders, render, "No orders match.");
  }

  const form = h(
    "form",
    { class: "filters", role: "search", onsubmit: (event) => (event.preventDefault(), load()) },
    field("Status", status),
    field("From", from),
    field("To", to),
    field("Order number", number),
    h("button", { type: "submit", class: "button secondary" }, "Filter"),
  );
  status.addEventListener("change", load);
  live.on("order", (changed) => updateOrderRows(results, changed));
  await load();
  return h("section", {}, h("h1", {}, "Orders"), h("p", { class: "subtitle" }, "Your orders of the last 12 months, newest first."), form, results);
}

function orderTable(nodes) {
  return table(
    [
      { label: "Order", cell: (o) => h("a", { href: link("orders", o.number) }, o.number) },
      { label: "Order date", cell: (o) => date(o.orderDate) },
      { label: "Your reference", cell: (o) => o.externalDocumentNumber || "—" },
      { label: "Requested delivery", cell: (o) => date(o.requestedDeliveryDate) },
      STATUS_COLUMN,
      TOTAL_COLUMN,
    ],
    nodes,
    { caption: "Orders", rowAttributes: orderRow },
  );
}

// Loads the first page into `container`, then more on demand ("Load more").
export async function pages(client, container, operation, variables, pick, render, emptyText) {
  replace(container, loading());
  let nodes = [];
  let after = null;
  async function next() {
    const data = await client.query(operation, { ...variables, first: PAGE, after });
    const connection = pick(data);
    if (!connection) throw new Error("This list is not available right now.");
    nodes = nodes.concat(connection.nodes);
    after = connection.pageInfo.endCursor;
    const more = connection.pageInfo.hasNextPage
      ? h("div", { class: "actions" }, h("button", { type: "button", class: "button secondary", onclick: (event) => loadMore(event.target) }, "Load more"))
      : null;
    replace(container, nodes.length ? render(nodes) : h("p", { class: "empty" }, emptyText), more);
  }
  async function loadMore(button) {
    button.disabled = true;
    try {
      await next();
    } catch (error) {
      container.append(errorBox(error));
    }
  }
  try {
    await next();
  } catch (error) {
    replace(container, errorBox(error, () => pages(client, container, operation, variables, pick, render, emptyText)));
  }
}

export function field(label, control, extra = "") {
  return h("label", { class: `field ${extra}`.trim() }, label, control);
}

export async function order({ client, auth, params, live }) {
  const data = await client.query(ORDER, { number: params.number });
  const o = data.order;
  if (!o) throw new Error(`Order ${params.number} was not found.`);
  live.know([o]);
  const items = o.lines.filter((line) => line.lineType === "ITEM");
  const state = h("p", { class: "subtitle", id: "order-status" });
  const total = h("span", { id: "order-total" });
  const lines = h("div", { id: "order-lines" });
  const shipmentsHeading = h("h2", {}, "Shipments");
  const shipments = h("div", { id: "order-shipments" });
  const invoicesHeading = h("h2", {}, "Invoices");
  const invoices = h("div", { id: "order-invoices" });

  function paint() {
    replace(state, chip(o.status), " ", o.open ? "" : "Completed");
    replace(total, money(o.totalIncludingTax));
    replace(lines, lineTable(o.lines));
  }
  function paintDocuments() {
    refill(shipments, shipmentsHeading, o.shipments.length ? shipmentList(client, auth, o.shipments) : h("p", { class: "empty" }, "Nothing has shipped yet."));
    refill(invoices, invoicesHeading, o.invoices.length ? invoiceTable(client, auth, o.invoices) : h("p", { class: "empty" }, "Not invoiced yet."));
  }
  paint();
  paintDocuments();

  // orderUpdated: status, total and each line's quantities and dates; a line the page does not
  // have yet (staff added one) needs the whole order again.
  live.on("order", async (changed) => {
    if (changed.number !== o.number) return;
    const known = new Map(o.lines.map((line) => [line.sequence, line]));
    if (changed.lines.some((line) => !known.has(line.sequence))) {
      const fresh = (await client.query(ORDER, { number: o.number })).order;
      if (!fresh) return;
      Object.assign(o, fresh);
      paintDocuments();
    } else {
      for (const line of changed.lines) Object.assign(known.get(line.sequence), line);
      Object.assign(o, { status: changed.status, open: changed.open, totalIncludingTax: changed.totalIncludingTax });
    }
    paint();
    flash(state);
    flash(lines);
  });
  // documentPosted: a new shipment or invoice of this order joins its list.
  live.on("document", (posted) => {
    if (posted.orderNumber !== o.number) return;
    const list = { Shipment: o.shipments, Invoice: o.invoices }[posted.__typename];
    if (!list || list.some((known) => known.number === posted.number)) return;
    list.push(posted);
    paintDocuments();
    flash(posted.__typename === "Shipment" ? shipments : invoices);
  });

  return h(
    "section",
    {},
    h("p", {}, h("a", { href: "#/orders" }, "← Orders")),
    h(
      "div",
      { class: "page-head" },
      h("div", {}, h("h1", {}, `Order ${o.number}`), state),
      h(
        "div",
        { class: "actions" },
        items.length ? h("a", { class: "button", href: link("orders", o.number, "reorder") }, "Reorder") : null,
        h("a", { class: "button secondary", href: `#/queries/new?type=SALES_ORDER&number=${encodeURIComponent(o.number)}` }, "Ask about this order"),
      ),
    ),
    h(
      "dl",
      { class: "details card" },
      detail("Order date", date(o.orderDate)),
      detail("Requested delivery", date(o.requestedDeliveryDate)),
      detail("Your reference", o.externalDocumentNumber || "—"),
      detail("Ship to", [o.shipTo.name, o.shipTo.line1, o.shipTo.city].filter(Boolean).join(", ") || "—"),
      detail("Total excl. tax", money(o.totalExcludingTax)),
      detail("Total", total),
    ),
    h("h2", {}, "Lines"),
    lines,
    shipmentsHeading,
    shipments,
    invoicesHeading,
    invoices,
  );
}

function lineTable(lines) {
  return table(
    [
      { label: "Item", cell: (l) => l.number || "—" },
      { label: "Description", cell: (l) => l.description || "" },
      { label: "Ordered", num: true, cell: (l) => `${quantity(l.quantity)} ${l.unitOfMeasureCode || ""}`.trim() },
      { label: "Shipped", num: true, cell: (l) => quantity(l.shippedQuantity) },
      { label: "Invoiced", num: true, cell: (l) => quantity(l.invoicedQuantity) },
      { label: "Expected ship date", cell: (l) => (l.lineType === "ITEM" ? date(l.shipmentDate) : "") },
      { label: "Unit price", num: true, cell: (l) => (l.lineType === "COMMENT" ? "" : money(l.unitPrice)) },
      { label: "Amount", num: true, cell: (l) => (l.lineType === "COMMENT" ? "" : money(l.amountIncludingTax)) },
    ],
    lines,
    { caption: "Order lines" },
  );
}

function detail(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

function shipmentList(client, auth, shipments) {
  return h(
    "ul",
    { class: "list card" },
    shipments.map((s) =>
      h(
        "li",
        { "data-shipment": s.number },
        h(
          "div",
          {},
          h("strong", {}, `Shipment ${s.number}`),
          h("div", { class: "muted" }, `Shipped ${date(s.postingDate)}`, s.carrier ? ` · ${s.carrier.name || s.carrier.code}` : ""),
        ),
        h(
          "div",
          { class: "actions" },
          s.trackingUrl
            ? h("a", { href: s.trackingUrl, target: "_blank", rel: "noopener noreferrer", class: "button secondary small" }, `Track ${s.trackingNumber || "parcel"}`)
            : s.trackingNumber
              ? h("span", { class: "muted" }, `Tracking ${s.trackingNumber}`)
              : null,
          (s.proofOfDelivery || []).map((file) =>
            h(
              "button",
              { type: "button", class: "button secondary small", onclick: (event) => downloadProof(client, auth, s.number, file, event.target) },
              `Proof of delivery (${file.fileName})`,
            ),
          ),
        ),
      ),
    ),
  );
}

export function invoiceTable(client, auth, invoices, caption = "Invoices") {
  return table(
    [
      { label: "Invoice", cell: (i) => i.number },
      { label: "Invoice date", cell: (i) => date(i.invoiceDate) },
      { label: "Due date", cell: (i) => h("span", { class: i.isOverdue ? "overdue" : null }, date(i.dueDate)) },
      { label: "Status", cell: (i) => invoiceChip(i) },
      { label: "Total", num: true, cell: (i) => money(i.totalIncludingTax) },
      { label: "Outstanding", num: true, cell: (i) => money(i.remainingAmount) },
      {
        label: "PDF",
        cell: (i) =>
          h(
            "button",
            { type: "button", class: "button secondary small", "aria-label": `Download invoice ${i.number} as PDF`, onclick: (event) => downloadInvoice(client, auth, i.number, event.target) },
            "PDF",
          ),
      },
    ],
    invoices,
    { caption },
  );
}

// A fresh signed link per click: links live minutes and are never stored.
export async function downloadVia(button, fetchLink) {
  button.disabled = true;
  const note = button.parentElement.querySelector(".download-error");
  if (note) note.remove();
  try {
    await fetchLink();
  } catch (error) {
    button.after(h("span", { class: "download-error overdue", role: "alert" }, ` ${error.message}`));
  } finally {
    button.disabled = false;
  }
}

function downloadInvoice(client, auth, number, button) {
  return downloadVia(button, async () => {
    const data = await client.query(INVOICE_PDF, { number });
    if (!data.invoice || !data.invoice.pdfUrl) throw new Error("No PDF is available for this invoice.");
    await download(auth, data.invoice.pdfUrl, `Invoice-${number}.pdf`);
  });
}

function downloadProof(client, auth, shipment, file, button) {
  return downloadVia(button, async () => {
    const data = await client.query(PROOF_OF_DELIVERY, { number: shipment });
    const found = data.shipment && (data.shipment.proofOfDelivery || []).find((f) => f.id === file.id);
    if (!found || !found.downloadUrl) throw new Error("This file is no longer available.");
    await download(auth, found.downloadUrl, file.fileName);
  });
}
