// Customer queries: the list, one query's thread with a reply box, and raising a new one.

import { h, flash, refill, refillCells, replace, table } from "../dom.js";
import { CATEGORY_LABELS, DOCUMENT_LABELS, chip, dateTime } from "../format.js";
import { CUSTOMER_QUERY, QUERIES, REPLY_TO_QUERY, SUBMIT_QUERY } from "../operations.js";
import { field, pages } from "./orders.js";
import { link } from "./routes.js";

// The columns a live update changes in the list (queryUpdated).
const STATUS_COLUMN = { label: "Status", cell: (q) => chip(q.status) };
const ACTIVITY_COLUMN = { label: "Last activity", cell: (q) => dateTime(q.lastActivityAt || q.createdAt) };

export async function queries({ client, live }) {
  const results = h("div", { id: "query-results" });
  live.on("query", (changed) => {
    const row = results.querySelector(`tr[data-query="${CSS.escape(changed.id)}"]`);
    if (row) refillCells(row, [STATUS_COLUMN, ACTIVITY_COLUMN], changed);
  });
  await pages(
    client,
    results,
    QUERIES,
    {},
    (data) => data.queries,
    (nodes) =>
      table(
        [
          { label: "Query", cell: (q) => h("a", { href: link("queries", q.id) }, q.number) },
          { label: "Subject", cell: (q) => q.subject },
          { label: "About", cell: (q) => related(q.relatedDocument) },
          STATUS_COLUMN,
          ACTIVITY_COLUMN,
        ],
        nodes,
        { caption: "Your queries", rowAttributes: (q) => ({ "data-query": q.id }) },
      ),
    "You have not raised any queries.",
  );
  return h(
    "section",
    {},
    h("div", { class: "page-head" }, h("h1", {}, "Queries"), h("a", { class: "button", href: "#/queries/new" }, "Raise a query")),
    h("p", { class: "subtitle" }, "Questions about a statement, a delivery or a product, and our answers."),
    results,
  );
}

export async function customerQuery({ client, params, live }) {
  const data = await client.query(CUSTOMER_QUERY, { id: params.id });
  const q = data.query;
  if (!q) throw new Error("This query was not found.");
  const heading = h("h1", {}, q.subject);
  const status = h("span", { id: "query-status" }, chip(q.status));
  const thread = h("div", { class: "thread", id: "thread" }, q.messages.map(message));
  const body = h("textarea", { name: "message", required: true, maxlength: 4000, rows: 4 });
  const outcome = h("div", { "aria-live": "polite" });
  const send = h("button", { type: "submit", class: "button" }, "Send reply");
  let pendingKey = null;

  async function reply(event) {
    event.preventDefault();
    if (!body.value.trim()) return;
    const key = pendingKey || crypto.randomUUID();
    pendingKey = key;
    send.disabled = true;
    try {
      const result = (await client.query(REPLY_TO_QUERY, { input: { queryNumber: q.number, message: body.value.trim(), idempotencyKey: key } })).replyToQuery;
      if (result.__typename === "WriteError") {
        if (!["BC_UNAVAILABLE", "IN_PROGRESS", "STORE_UNAVAILABLE"].includes(result.code)) pendingKey = null;
        replace(outcome, h("div", { class: "alert danger", role: "alert" }, result.message));
        return;
      }
      pendingKey = null;
      const fresh = (await client.query(CUSTOMER_QUERY, { id: q.id })).query;
      replace(thread, fresh.messages.map(message));
      body.value = "";
      replace(outcome, h("div", { class: "alert ok", role: "status" }, "Your reply was sent."));
    } catch (error) {
      replace(outcome, h("div", { class: "alert danger", role: "alert" }, `${error.message} Try again: your reply will not be sent twice.`));
    } finally {
      send.disabled = false;
    }
  }

  const resolved = h("p", { class: "muted" }, "This query is resolved. Raise a new one if you need more help.");
  const form = h("form", { onsubmit: reply, oninput: () => (pendingKey = null) }, field("Your reply", body, "wide"), h("div", { class: "actions" }, send), outcome);
  const answer = h("div", {}, q.status === "RESOLVED" ? resolved : form);

  // queryUpdated: a staff reply joins the thread; once resolved, there is no reply box.
  live.on("query", (changed) => {
    if (changed.id !== q.id) return;
    replace(thread, changed.messages.map(message));
    flash(thread.lastElementChild || thread);
    if (changed.status !== q.status) {
      replace(status, chip(changed.status));
      flash(status);
      if (changed.status === "RESOLVED") refill(answer, heading, resolved);
      else if (q.status === "RESOLVED") refill(answer, heading, form);
      q.status = changed.status;
    }
  });

  return h(
    "section",
    {},
    h("p", {}, h("a", { href: "#/queries" }, "← Queries")),
    h("div", { class: "page-head" }, heading, status),
    h("p", { class: "subtitle" }, `${q.number} · ${CATEGORY_LABELS[q.category] || q.category}`, q.relatedDocument ? ` · about ${related(q.relatedDocument)}` : ""),
    thread,
    answer,
  );
}

export async function newQuery({ client, params, navigate }) {
  const category = h(
    "select",
    { name: "category" },
    Object.entries(CATEGORY_LABELS).map(([value, label]) => h("option", { value }, label)),
  );
  const subject = h("input", { type: "text", name: "subject", required: true, maxlength: 100 });
  const body = h("textarea", { name: "message", required: true, maxlength: 4000, rows: 6 });
  const type = params.query.get("type");
  const number = params.query.get("number");
  const about = type && number && DOCUMENT_LABELS[type] ? { type, number } : null;
  if (about && type === "SALES_ORDER") category.value = "DELIVERY";
  const outcome = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button" }, "Send query");
  let pendingKey = null;

  async function raise(event) {
    event.preventDefault();
    const key = pendingKey || crypto.randomUUID();
    pendingKey = key;
    submit.disabled = true;
    const input = { category: category.value, subject: subject.value.trim(), message: body.value.trim(), idempotencyKey: key };
    if (about) input.relatedDocument = about;
    try {
      const result = (await client.query(SUBMIT_QUERY, { input })).submitQuery;
      if (result.__typename === "WriteError") {
        if (!["BC_UNAVAILABLE", "IN_PROGRESS", "STORE_UNAVAILABLE"].includes(result.code)) pendingKey = null;
        replace(outcome, h("div", { class: "alert danger", role: "alert" }, result.message));
        return;
      }
      navigate(link("queries", result.id));
    } catch (error) {
      replace(outcome, h("div", { class: "alert danger", role: "alert" }, `${error.message} Try again: your query will not be sent twice.`));
    } finally {
      submit.disabled = false;
    }
  }

  return h(
    "section",
    {},
    h("p", {}, h("a", { href: "#/queries" }, "← Queries")),
    h("h1", {}, "Raise a query"),
    about ? h("p", { class: "subtitle" }, `About ${related(about)}`) : null,
    h(
      "form",
      { onsubmit: raise, oninput: () => (pendingKey = null) },
      h("div", { class: "form-grid" }, field("Category", category), field("Subject", subject, "wide")),
      field("Message", body, "wide"),
      h("div", { class: "actions" }, submit),
      outcome,
    ),
  );
}

function related(document) {
  return document ? `${DOCUMENT_LABELS[document.type] || document.type} ${document.number}` : "—";
}

function message(m) {
  return h(
    "article",
    { class: `message ${m.author === "CUSTOMER" ? "customer" : "staff"}` },
    h("div", { class: "meta" }, `${m.author === "CUSTOMER" ? "You" : m.authorName || "Our team"} · ${dateTime(m.createdAt)}`),
    h("div", { class: "body" }, m.body),
  );
}
