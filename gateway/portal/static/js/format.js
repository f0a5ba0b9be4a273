// Numbers, money, dates and status chips, formatted the same way on every screen.

const LOCALE = "en-GB";
const dateFormat = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", year: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
const quantityFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 5 });

export function money(value) {
  if (!value) return "—";
  const amount = Number(value.amount);
  try {
    return new Intl.NumberFormat(LOCALE, { style: "currency", currency: value.currencyCode }).format(amount);
  } catch {
    // BC may hold a currency code that is not ISO 4217; show it as it is.
    return `${new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2 }).format(amount)} ${value.currencyCode}`;
  }
}

export function quantity(value) {
  return value === null || value === undefined ? "—" : quantityFormat.format(Number(value));
}

export function date(value) {
  if (!value) return "—";
  const [year, month, day] = value.slice(0, 10).split("-").map(Number);
  return dateFormat.format(new Date(Date.UTC(year, month - 1, day)));
}

export function dateTime(value) {
  return value ? dateTimeFormat.format(new Date(value)) : "—";
}

export function isoDate(moment) {
  const local = new Date(moment.getTime() - moment.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

export function monthsAgo(months) {
  const moment = new Date();
  moment.setMonth(moment.getMonth() - months);
  return isoDate(moment);
}

// Exact decimal arithmetic for reconciling money on screen: amounts as integer millionths.
const SCALE = 1000000n;

export function toMicros(text) {
  const negative = text.trim().startsWith("-");
  const [whole, fraction = ""] = text.trim().replace(/^[-+]/, "").split(".");
  const micros = BigInt(whole || "0") * SCALE + BigInt((fraction + "000000").slice(0, 6));
  return negative ? -micros : micros;
}

const STATUS = {
  DRAFT: ["Draft", "grey"],
  PENDING_APPROVAL: ["Pending approval", "amber"],
  RELEASED: ["Released", "blue"],
  PARTIALLY_SHIPPED: ["Partially shipped", "teal"],
  SHIPPED: ["Shipped", "teal"],
  PARTIALLY_INVOICED: ["Partially invoiced", "violet"],
  INVOICED: ["Invoiced", "green"],
  OPEN: ["Open", "blue"],
  PAID: ["Paid", "green"],
  CANCELED: ["Cancelled", "grey"],
  CORRECTIVE: ["Corrective", "grey"],
  IN_PROGRESS: ["In progress", "blue"],
  RESOLVED: ["Resolved", "green"],
};

export function statusLabel(status) {
  return (STATUS[status] || [status])[0];
}

export function chip(status, override) {
  const [label, colour] = override || STATUS[status] || [status, "grey"];
  const element = document.createElement("span");
  element.className = `chip ${colour}`;
  element.dataset.status = status;
  element.textContent = label;
  return element;
}

export function invoiceChip(invoice) {
  if (invoice.isOverdue) return chip("OVERDUE", [`Overdue ${invoice.daysOverdue} d`, "red"]);
  return chip(invoice.status);
}

export const QUERY_STATUS_LABELS = { OPEN: "Open", IN_PROGRESS: "In progress", RESOLVED: "Resolved" };
export const CATEGORY_LABELS = {
  STATEMENT_DISPUTE: "Statement dispute",
  DELIVERY: "Delivery",
  PRODUCT: "Product",
  OTHER: "Other",
};
export const DOCUMENT_LABELS = {
  SALES_ORDER: "Order",
  SALES_SHIPMENT: "Shipment",
  SALES_INVOICE: "Invoice",
  SALES_CREDIT_MEMO: "Credit memo",
};
