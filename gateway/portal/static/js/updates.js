// What the portal does with live updates: the session's subscriptions (orders, posted documents,
// queries), a notice for each change in the "Updates" region (aria-live, so a screen reader
// reads it out), the connection state in the header, and the handlers of the view on screen,
// which it drops when the view is left.

import { SessionEnded } from "./auth.js";
import { h } from "./dom.js";
import { date, money } from "./format.js";
import { DOCUMENT_POSTED, ORDER_UPDATED, QUERY_UPDATED } from "./operations.js";
import { link } from "./views/routes.js";

const MAX_NOTICES = 5;
const STATES = {
  connecting: ["Connecting…", "Connecting for live updates."],
  live: ["Live", "Changes to your orders, invoices and queries appear as they happen."],
  reconnecting: ["Reconnecting…", "The live connection dropped; changes appear again once it is back."],
};
const ORDER_NEWS = {
  RELEASED: "has been released",
  PARTIALLY_SHIPPED: "has partly shipped",
  SHIPPED: "has shipped",
  PARTIALLY_INVOICED: "has been partly invoiced",
  INVOICED: "has been invoiced",
};

export class Updates {
  constructor(live, { notices, indicator }) {
    this.live = live;
    this.notices = notices;
    this.indicator = indicator;
    this.statuses = new Map(); // order number → the status last shown, to say what changed
    this.view = new ViewScope(live, this.statuses);
  }

  // Signed in: listen for the customer's changes (of `company`).
  begin(company) {
    this.live.close();
    this.statuses.clear();
    this.live.subscribe(ORDER_UPDATED, {}, sink((data) => this.orderUpdated(data.orderUpdated)));
    this.live.subscribe(DOCUMENT_POSTED, {}, sink((data) => this.documentPosted(data.documentPosted)));
    this.live.subscribe(QUERY_UPDATED, {}, sink((data) => this.queryUpdated(data.queryUpdated)));
    this.live.connect(company);
  }

  // Another company: its customer account's changes instead.
  switchCompany(company) {
    this.statuses.clear();
    this.notices.replaceChildren();
    this.live.connect(company);
  }

  // Signed out: nothing more is heard, and nothing heard stays on screen.
  end() {
    this.live.close();
    this.view.dispose();
    this.notices.replaceChildren();
  }

  // A fresh scope for the view about to render; the previous view's handlers and subscriptions end.
  enterView() {
    this.view.dispose();
    this.view = new ViewScope(this.live, this.statuses);
    return this.view;
  }

  showState(state) {
    const shown = STATES[state];
    this.indicator.hidden = !shown;
    this.indicator.dataset.state = state;
    if (!shown) return;
    this.indicator.firstElementChild.textContent = shown[0];
    this.indicator.title = shown[1];
  }

  orderUpdated(order) {
    const before = this.statuses.get(order.number);
    this.statuses.set(order.number, order.status);
    this.view.dispatch("order", order);
    // A change of status is news; other changes (dates, quantities) show where the order is shown.
    const news = before !== order.status && ORDER_NEWS[order.status];
    if (news) this.notify(`Order ${order.number} ${news}.`, link("orders", order.number), "View order");
  }

  documentPosted(document) {
    this.view.dispatch("document", document);
    if (document.__typename === "Shipment") {
      const order = document.orderNumber;
      this.notify(
        `Shipment ${document.number}${order ? ` for order ${order}` : ""} is on its way.`,
        order ? link("orders", order) : null,
        "View order",
      );
    } else if (document.__typename === "Invoice") {
      const due = document.dueDate ? `, due ${date(document.dueDate)}` : "";
      this.notify(`Invoice ${document.number} was posted: ${money(document.totalIncludingTax)}${due}.`, "#/invoices", "View invoices");
    } else if (document.__typename === "CreditMemo") {
      this.notify(`Credit memo ${document.number} was issued: ${money(document.totalIncludingTax)}.`, "#/credit-memos", "View credit memos");
    }
  }

  queryUpdated(query) {
    this.view.dispatch("query", query);
    const last = query.messages[query.messages.length - 1];
    let news;
    if (query.status === "RESOLVED") news = `Your query “${query.subject}” is resolved.`;
    else if (last && last.author !== "CUSTOMER") news = `${last.authorName || "We"} replied to your query “${query.subject}”.`;
    if (news) this.notify(news, link("queries", query.id), "View query"); // the customer's own message needs no notice
  }

  notify(text, href, action) {
    const item = h(
      "li",
      { class: "live-notice" },
      h("span", {}, text),
      href ? h("a", { href }, action) : null,
      h("button", { type: "button", class: "button ghost small", "aria-label": `Dismiss: ${text}`, onclick: () => dismiss(item) }, "Dismiss"),
    );
    this.notices.append(item);
    while (this.notices.children.length > MAX_NOTICES) this.notices.firstElementChild.remove();
  }
}

// What one view hears while it is on screen: on("order" | "document" | "query", handler), and
// subscriptions of its own (subscribe); all of it ends when the next view renders.
class ViewScope {
  constructor(live, statuses) {
    this.live = live;
    this.statuses = statuses;
    this.handlers = { order: [], document: [], query: [] };
    this.stops = [];
    this.open = true;
  }

  on(kind, handler) {
    if (this.open) this.handlers[kind].push(handler);
  }

  // The orders on screen, so that a change's notice can say what changed.
  know(orders) {
    for (const order of orders) this.statuses.set(order.number, order.status);
  }

  subscribe(document, variables, next) {
    if (!this.open) return () => {};
    const stop = this.live.subscribe(document, variables, sink(next));
    this.stops.push(stop);
    return stop;
  }

  dispatch(kind, value) {
    for (const handler of this.handlers[kind]) {
      Promise.resolve()
        .then(() => handler(value))
        .catch((error) => {
          if (error instanceof SessionEnded) throw error; // the app shows the sign-in page
          console.warn("A live update could not be shown:", error.message);
        });
    }
  }

  dispose() {
    this.open = false;
    for (const stop of this.stops) stop();
    this.stops = [];
  }
}

// Removes a notice; keyboard focus goes to the next notice's button (or the page), not to the top.
function dismiss(item) {
  const next = item.nextElementSibling || item.previousElementSibling;
  item.remove();
  (next ? next.querySelector("button") : document.getElementById("main")).focus();
}

// A result's data to `next`; a subscription the gateway refuses is a deployment fault (its
// document is missing from the safelist, say): the console says so.
function sink(next) {
  return {
    next: (payload) => payload.data && next(payload.data),
    error: (errors) => console.error("A live update was refused:", errors.map((e) => e.message).join("; ")),
  };
}
