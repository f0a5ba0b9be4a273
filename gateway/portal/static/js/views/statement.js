// Statement of account: opening balance, every movement with its running balance, closing
// balance — and a check, in exact decimals, that the numbers on screen add up.

import { h, replace, table, loading, errorBox } from "../dom.js";
import { download } from "../download.js";
import { date, isoDate, money, monthsAgo, toMicros } from "../format.js";
import { STATEMENT, STATEMENT_PDF } from "../operations.js";
import { downloadVia, field } from "./orders.js";

const TYPES = {
  INVOICE: "Invoice",
  PAYMENT: "Payment",
  CREDIT_MEMO: "Credit memo",
  REFUND: "Refund",
  FINANCE_CHARGE_MEMO: "Finance charge",
  REMINDER: "Reminder",
  PAYMENT_DISCOUNT: "Payment discount",
  EXCHANGE_DIFFERENCE: "Exchange difference",
  ADJUSTMENT: "Adjustment",
};

export async function statement({ client, auth, params }) {
  const from = h("input", { type: "date", name: "from", required: true, value: params.query.get("from") || monthsAgo(3) });
  const to = h("input", { type: "date", name: "to", required: true, value: params.query.get("to") || isoDate(new Date()) });
  const results = h("div", { id: "statement-results" });
  const pdf = h("button", { type: "button", class: "button secondary", id: "statement-pdf" }, "Download PDF");
  pdf.addEventListener("click", () =>
    downloadVia(pdf, async () => {
      const data = await client.query(STATEMENT_PDF, { from: from.value, to: to.value });
      if (!data.statement || !data.statement.pdfUrl) throw new Error("No statement PDF is available for your account.");
      await download(auth, data.statement.pdfUrl, "Statement.pdf");
    }),
  );

  async function load() {
    replace(results, loading());
    try {
      const data = await client.query(STATEMENT, { from: from.value, to: to.value });
      replace(results, show(data.statement));
    } catch (error) {
      replace(results, errorBox(error, load));
    }
  }
  await load();
  return h(
    "section",
    {},
    h("h1", {}, "Statement"),
    h("p", { class: "subtitle" }, "Your account's movements for a period, with the balance after each."),
    h(
      "form",
      { class: "filters", onsubmit: (event) => (event.preventDefault(), load()) },
      field("From", from),
      field("To", to),
      h("button", { type: "submit", class: "button" }, "Show"),
      pdf,
    ),
    results,
  );
}

function show(s) {
  if (!s) throw new Error("The statement is not available right now.");
  const debits = s.entries.reduce((sum, e) => sum + toMicros(e.debit.amount), 0n);
  const credits = s.entries.reduce((sum, e) => sum + toMicros(e.credit.amount), 0n);
  let running = toMicros(s.openingBalance.amount);
  let consistent = true;
  for (const entry of s.entries) {
    running += toMicros(entry.debit.amount) - toMicros(entry.credit.amount);
    consistent &&= running === toMicros(entry.balance.amount);
  }
  const reconciles = consistent && running === toMicros(s.closingBalance.amount) && debits === toMicros(s.totalDebit.amount) && credits === toMicros(s.totalCredit.amount);
  const amount = (value) => h("span", { "data-amount": value.amount }, money(value));
  return h(
    "div",
    {},
    h(
      "div",
      { class: "cards" },
      metric("Opening balance", amount(s.openingBalance), `on ${date(s.from)}`, "opening"),
      metric("Invoiced and charged", amount(s.totalDebit), "debits", "debits"),
      metric("Paid and credited", amount(s.totalCredit), "credits", "credits"),
      metric("Closing balance", amount(s.closingBalance), `on ${date(s.to)}`, "closing"),
    ),
    h(
      "div",
      { class: `alert ${reconciles ? "ok" : "danger"}`, role: "status", id: "reconciliation", "data-reconciles": String(reconciles) },
      reconciles
        ? `Reconciles: opening balance + debits − credits = closing balance (${money(s.closingBalance)}).`
        : "These figures do not add up. Please raise a query and we will look into it.",
    ),
    s.entries.length
      ? table(
          [
            { label: "Date", cell: (e) => date(e.postingDate) },
            { label: "Type", cell: (e) => TYPES[e.type] || e.type },
            { label: "Document", cell: (e) => e.documentNumber || "—" },
            { label: "Description", cell: (e) => e.description },
            { label: "Due", cell: (e) => date(e.dueDate) },
            { label: "Debit", num: true, cell: (e) => (toMicros(e.debit.amount) ? amount(e.debit) : "") },
            { label: "Credit", num: true, cell: (e) => (toMicros(e.credit.amount) ? amount(e.credit) : "") },
            { label: "Balance", num: true, cell: (e) => amount(e.balance) },
          ],
          s.entries,
          { caption: "Statement entries" },
        )
      : h("p", { class: "empty" }, "No movements in this period."),
  );
}

function metric(label, value, hint, id) {
  return h("div", { class: "card metric", id: `statement-${id}` }, h("div", { class: "label" }, label), h("div", { class: "value" }, value), h("div", { class: "hint" }, hint));
}
