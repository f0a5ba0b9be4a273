// Reorder: the order's item lines pre-filled, quantities adjustable (0 leaves a line out).
// Each attempt carries its own idempotency key; only an attempt whose outcome is unknown
// (BC_UNAVAILABLE, IN_PROGRESS, a lost answer; STORE_UNAVAILABLE too) is retried with the same key, so it never
// writes twice, while a changed form is a new attempt.

import { h, replace, table } from "../dom.js";
import { money, quantity } from "../format.js";
import { ORDER, REORDER } from "../operations.js";
import { field } from "./orders.js";
import { link } from "./routes.js";

const UNCERTAIN = new Set(["BC_UNAVAILABLE", "IN_PROGRESS"]);
// Nothing was written, but "try again" is the advice: the same key stays safe either way.
const RETRY_WITH_SAME_KEY = new Set([...UNCERTAIN, "STORE_UNAVAILABLE"]);

export async function reorder({ client, params, live }) {
  const data = await client.query(ORDER, { number: params.number });
  const original = data.order;
  if (!original) throw new Error(`Order ${params.number} was not found.`);
  const lines = original.lines.filter((line) => line.lineType === "ITEM");
  const inputs = new Map();
  const outcome = h("div", { id: "reorder-outcome", "aria-live": "polite" });
  const reference = h("input", { type: "text", name: "reference", maxlength: 35, placeholder: "Your purchase order number" });
  const delivery = h("input", { type: "date", name: "delivery" });
  let pendingKey = null; // the key of an attempt whose outcome is not known yet

  const submit = h("button", { type: "submit", class: "button" }, "Place order");
  const form = h(
    "form",
    {
      onsubmit: (event) => (event.preventDefault(), place()),
      oninput: () => (pendingKey = null),
    },
    table(
      [
        { label: "Item", cell: (l) => l.number },
        { label: "Description", cell: (l) => l.description || "" },
        { label: "Last time", num: true, cell: (l) => `${quantity(l.quantity)} ${l.unitOfMeasureCode || ""}`.trim() },
        { label: "Unit price last time", num: true, cell: (l) => money(l.unitPrice) },
        {
          label: "Quantity",
          num: true,
          cell: (l) => {
            const input = h("input", {
              type: "number",
              class: "qty",
              min: "0",
              step: "any",
              inputmode: "decimal",
              value: Number(l.quantity),
              name: `quantity-${l.sequence}`,
              "aria-label": `Quantity of ${l.number} ${l.description || ""}`.trim(),
            });
            inputs.set(l.sequence, { input, line: l });
            return input;
          },
        },
      ],
      lines,
      { caption: "Lines to order again" },
    ),
    h("div", { class: "form-grid" }, field("Your reference", reference, "wide"), field("Requested delivery date", delivery)),
    h("p", { class: "muted" }, "Prices come from us when the order is placed. Set a quantity to 0 to leave a line out."),
    h("div", { class: "actions" }, submit, h("a", { class: "button secondary", href: link("orders", original.number) }, "Cancel")),
    outcome,
  );

  async function place() {
    const changes = [];
    for (const [sequence, { input, line }] of inputs) {
      const value = input.value.trim();
      if (value === "" || Number.isNaN(Number(value)) || Number(value) < 0) {
        replace(outcome, problem("Check the quantities", [`Line ${line.number}: enter a quantity of 0 or more.`]));
        input.focus();
        return;
      }
      if (Number(value) !== Number(line.quantity)) changes.push({ sequence, quantity: value });
    }
    const key = pendingKey || crypto.randomUUID();
    pendingKey = key;
    const input = { orderNumber: original.number, changes, idempotencyKey: key };
    if (reference.value.trim()) input.customerReference = reference.value.trim();
    if (delivery.value) input.requestedDeliveryDate = delivery.value;
    submit.disabled = true;
    submit.textContent = "Placing order…";
    try {
      const result = (await client.query(REORDER, { input })).reorder;
      if (result.__typename === "PlacedOrder") {
        live.know([result.order]); // its notification brings no news to the one who placed it
        pendingKey = null;
        replace(form, placed(result));
        form.querySelector("h2").focus();
        return;
      }
      if (!RETRY_WITH_SAME_KEY.has(result.code)) pendingKey = null;
      replace(outcome, refusal(result));
    } catch (error) {
      // The answer was lost: the order may or may not exist; the same key finds out safely.
      replace(outcome, problem("We could not confirm your order", [`${error.message} Try again: you will not be charged twice.`]));
    } finally {
      submit.disabled = false;
      submit.textContent = pendingKey ? "Try again" : "Place order";
    }
  }

  return h(
    "section",
    {},
    h("p", {}, h("a", { href: link("orders", original.number) }, `← Order ${original.number}`)),
    h("h1", {}, `Reorder from ${original.number}`),
    lines.length ? form : h("p", { class: "empty" }, "This order has no item lines to order again."),
  );
}

function placed(result) {
  const order = result.order;
  return h(
    "div",
    { class: "alert ok", role: "status", id: "reorder-placed" },
    h(
      "div",
      {},
      h("h2", { tabindex: "-1" }, `Order ${order.number} placed`),
      h("p", {}, `Total ${money(order.totalIncludingTax)}. We will confirm the delivery date.`),
      result.skippedLines.length
        ? h("div", {}, "Not ordered again:", h("ul", {}, result.skippedLines.map((p) => h("li", {}, `${p.itemNumber || `Line ${p.sequence}`}: ${p.message}`))))
        : null,
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button", href: link("orders", order.number) }, "View the order"),
        h("a", { class: "button secondary", href: "#/orders" }, "All orders"),
      ),
    ),
  );
}

function refusal(error) {
  const details = error.lineProblems.map((p) => `${p.itemNumber || `Line ${p.sequence}`}: ${p.message}`);
  if (error.correlationId) details.push(`Reference for our support team: ${error.correlationId}`);
  return problem(UNCERTAIN.has(error.code) ? "Your order is not confirmed yet" : "Your order was not placed", [error.message, ...details]);
}

function problem(title, lines) {
  return h(
    "div",
    { class: "alert danger", role: "alert", id: "reorder-refused" },
    h("div", {}, h("strong", {}, title), h("ul", {}, lines.map((line) => h("li", {}, line)))),
  );
}
