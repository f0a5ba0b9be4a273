// Hash routes: #/orders/{number} etc.  Document numbers may contain "/", so each segment is
// URI-encoded when a link is built (link()) and decoded here.

import { dashboard } from "./dashboard.js";
import { orders, order } from "./orders.js";
import { reorder } from "./reorder.js";
import { invoices, creditMemos } from "./invoices.js";
import { statement } from "./statement.js";
import { stock } from "./stock.js";
import { queries, customerQuery, newQuery } from "./queries.js";

const TABLE = [
  [["orders", ":number", "reorder"], reorder],
  [["orders", ":number"], order],
  [["orders"], orders],
  [["invoices"], invoices],
  [["credit-memos"], creditMemos],
  [["statement"], statement],
  [["stock"], stock],
  [["queries", "new"], newQuery],
  [["queries", ":id"], customerQuery],
  [["queries"], queries],
  [[], dashboard],
];

export function link(...segments) {
  return `#/${segments.map((segment) => encodeURIComponent(segment)).join("/")}`;
}

function parse(hash) {
  const [path, query = ""] = (hash || "").replace(/^#\/?/, "").split("?");
  const segments = path.split("/").filter(Boolean).map((segment) => decodeURIComponent(segment));
  return { segments, query: new URLSearchParams(query) };
}

export const routes = {
  match(hash) {
    const { segments, query } = parse(hash);
    for (const [pattern, view] of TABLE) {
      if (pattern.length !== segments.length) continue;
      const params = { query };
      const matches = pattern.every((part, index) => {
        if (part.startsWith(":")) {
          params[part.slice(1)] = segments[index];
          return true;
        }
        return part === segments[index];
      });
      if (matches) return { view, params };
    }
    return { view: dashboard, params: { query } };
  },
  section(hash) {
    const { segments } = parse(hash);
    return segments.length && segments[0] !== "signed-out" ? `#/${segments[0]}` : "#/";
  },
};
