import { h, table } from "../dom.js";
import { download } from "../download.js";
import { chip, date, money } from "../format.js";
import { CREDIT_MEMO_PDF, CREDIT_MEMOS, INVOICES } from "../operations.js";
import { downloadVia, field, invoiceTable, pages } from "./orders.js";

const VIEWS = {
  open: ["Open", { status: ["OPEN"] }],
  overdue: ["Overdue", { status: ["OPEN"] }],
  paid: ["Paid", { status: ["PAID"] }],
  all: ["All", {}],
};

export async function invoices({ client, auth, params }) {
  const results = h("div", { id: "invoice-results" });
  const show = h(
    "select",
    { name: "show" },
    Object.entries(VIEWS).map(([value, [label]]) => h("option", { value, selected: params.query.get("overdue") === "1" ? value === "overdue" : value === "all" }, label)),
  );
  async function load() {
    const [, filter] = VIEWS[show.value];
    const onlyOverdue = show.value === "overdue";
    await pages(
      client,
      results,
      INVOICES,
      { filter },
      (data) => data.invoices && { ...data.invoices, nodes: data.invoices.nodes.filter((i) => !onlyOverdue || i.isOverdue) },
      (nodes) => invoiceTable(client, auth, nodes),
      onlyOverdue ? "Nothing is overdue." : "No invoices.",
    );
  }
  show.addEventListener("change", load);
  await load();
  return h(
    "section",
    {},
    h("h1", {}, "Invoices"),
    h("p", { class: "subtitle" }, "Posted invoices, newest first. Overdue invoices are marked in red."),
    h("div", { class: "filters" }, field("Show", show)),
    results,
  );
}

export async function creditMemos({ client, auth }) {
  const results = h("div", { id: "credit-memo-results" });
  await pages(
    client,
    results,
    CREDIT_MEMOS,
    {},
    (data) => data.creditMemos,
    (nodes) =>
      table(
        [
          { label: "Credit memo", cell: (c) => c.number },
          { label: "Date", cell: (c) => date(c.creditMemoDate) },
          { label: "For invoice", cell: (c) => c.invoiceNumber || "—" },
          { label: "Status", cell: (c) => chip(c.status) },
          { label: "Amount", num: true, cell: (c) => money(c.totalIncludingTax) },
          {
            label: "PDF",
            cell: (c) =>
              h(
                "button",
                {
                  type: "button",
                  class: "button secondary small",
                  "aria-label": `Download credit memo ${c.number} as PDF`,
                  onclick: (event) =>
                    downloadVia(event.target, async () => {
                      const data = await client.query(CREDIT_MEMO_PDF, { number: c.number });
                      if (!data.creditMemo || !data.creditMemo.pdfUrl) throw new Error("No PDF is available.");
                      await download(auth, data.creditMemo.pdfUrl, `Credit-Memo-${c.number}.pdf`);
                    }),
                },
                "PDF",
              ),
          },
        ],
        nodes,
        { caption: "Credit memos" },
      ),
    "No credit memos.",
  );
  return h("section", {}, h("h1", {}, "Credit memos"), h("p", { class: "subtitle" }, "Credits we issued to your account."), results);
}
