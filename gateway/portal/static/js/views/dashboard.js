import { h, flash, refill, table } from "../dom.js";
import { date, invoiceChip, money, toMicros } from "../format.js";
import { DASHBOARD } from "../operations.js";
import { ORDER_LIST_COLUMNS, orderRow, updateOrderRows } from "./orders.js";
import { link } from "./routes.js";

export async function dashboard({ client, live }) {
  const data = await client.query(DASHBOARD);
  const me = data.me;
  if (!me) throw new Error("Your customer account could not be found.");
  const heading = h("h1", {}, `Welcome, ${me.name}`);
  const body = h("div", { id: "dashboard-body" }, overview(data));
  live.know(data.orders.nodes);
  live.on("order", (changed) => updateOrderRows(body, changed));
  // A posted invoice or credit memo moves the balance, which no event carries: ask again.
  live.on("document", async (posted) => {
    if (posted.__typename === "Shipment") return;
    const fresh = await client.query(DASHBOARD);
    if (!fresh.me || !body.isConnected) return;
    live.know(fresh.orders.nodes);
    refill(body, heading, overview(fresh));
    const row = body.querySelector(`tr[data-invoice="${CSS.escape(posted.number)}"]`);
    flash(row || body.querySelector(".cards"));
  });
  return h(
    "section",
    {},
    h("div", { class: "page-head" }, h("div", {}, heading, h("p", { class: "subtitle" }, `Customer ${me.number}`))),
    body,
  );
}

function overview({ me, orders, invoices }) {
  const overdue = toMicros(me.overdueAmount.amount) > 0n;
  return [
    me.blocked !== "NONE"
      ? h("div", { class: "alert warn", role: "status" }, h("strong", {}, "Your account is on hold"), "Some orders or deliveries are blocked. Please contact us.")
      : null,
    overdue
      ? h(
          "div",
          { class: "alert danger", role: "alert", id: "overdue-alert" },
          h("div", {}, h("strong", {}, `${money(me.overdueAmount)} is overdue`), "Please settle your overdue invoices."),
          h("a", { class: "button secondary small", href: "#/invoices?overdue=1" }, "View overdue invoices"),
        )
      : null,
    h(
      "div",
      { class: "cards" },
      metric("Balance", money(me.balance), "What you owe us today", "balance"),
      metric("Overdue", money(me.overdueAmount), overdue ? "Past the due date" : "Nothing overdue", "overdue", overdue),
      metric("Credit limit", toMicros(me.creditLimit.amount) > 0n ? money(me.creditLimit) : "No limit", "Agreed with us", "credit-limit"),
      metric("Available credit", me.availableCredit ? money(me.availableCredit) : "—", "Credit limit minus balance", "available-credit"),
    ),
    h("div", { class: "section-head" }, h("h2", {}, "Recent orders"), h("a", { href: "#/orders" }, "All orders")),
    orders.nodes.length
      ? table(
          [
            { label: "Order", cell: (o) => h("a", { href: link("orders", o.number) }, o.number) },
            { label: "Date", cell: (o) => date(o.orderDate) },
            { label: "Your reference", cell: (o) => o.externalDocumentNumber || "—" },
            ORDER_LIST_COLUMNS.status,
            ORDER_LIST_COLUMNS.total,
          ],
          orders.nodes,
          { caption: "Recent orders", rowAttributes: orderRow },
        )
      : h("p", { class: "empty" }, "No orders in the last 12 months."),
    h("div", { class: "section-head" }, h("h2", {}, "Open invoices"), h("a", { href: "#/invoices" }, "All invoices")),
    invoices.nodes.length
      ? table(
          [
            { label: "Invoice", cell: (i) => i.number },
            { label: "Due", cell: (i) => h("span", { class: i.isOverdue ? "overdue" : null }, date(i.dueDate)) },
            { label: "Status", cell: (i) => invoiceChip(i) },
            { label: "Outstanding", num: true, cell: (i) => money(i.remainingAmount) },
          ],
          invoices.nodes,
          { caption: "Open invoices", rowAttributes: (i) => ({ "data-invoice": i.number }) },
        )
      : h("p", { class: "empty" }, "No open invoices."),
  ];
}

function metric(label, value, hint, id, alert = false) {
  return h(
    "div",
    { class: `card metric${alert ? " is-overdue" : ""}`, id: `metric-${id}` },
    h("div", { class: "label" }, label),
    h("div", { class: "value" }, value),
    h("div", { class: "hint" }, hint),
  );
}
