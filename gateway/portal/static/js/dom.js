// Building DOM without innerHTML: every value from the API is text, never markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

// Replaces what a live update changed without losing a keyboard user's place: focus that was
// inside `element` moves to `fallback` (the part's heading), not to the top of the document.
export function refill(element, fallback, ...children) {
  const hadFocus = element.contains(document.activeElement);
  replace(element, ...children);
  if (hadFocus && fallback) {
    fallback.setAttribute("tabindex", "-1");
    fallback.focus({ preventScroll: true });
  }
}

// Marks an element a live update just changed (a brief highlight, styles.css).
export function flash(element) {
  element.classList.remove("just-updated");
  void element.offsetWidth; // restart the animation when the same element changes again
  element.classList.add("just-updated");
}

// A table that stacks into cards on a narrow screen; columns: [{label, cell(row), num}];
// rowAttributes(row) names a row for live updates (e.g. {"data-order": number}).
export function table(columns, rows, { caption, footer, rowAttributes } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "stack" },
      caption ? h("caption", { class: "visually-hidden" }, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            rowAttributes ? rowAttributes(row) : {},
            columns.map((c) => h("td", { "data-label": c.label, class: c.num ? "num" : null }, c.cell(row))),
          ),
        ),
      ),
      footer ? h("tfoot", {}, footer) : null,
    ),
  );
}

// Fills the cells of `columns` in the table row `tr` from `row` again.
export function refillCells(tr, columns, row) {
  for (const column of columns) {
    const cell = tr.querySelector(`td[data-label="${CSS.escape(column.label)}"]`);
    if (cell) replace(cell, column.cell(row));
  }
  flash(tr);
}

export function loading(text = "Loading…") {
  return h("p", { class: "loading", role: "status" }, text);
}

export function errorBox(error, retry) {
  return h(
    "div",
    { class: "alert danger", role: "alert" },
    h("div", {}, h("strong", {}, "Something went wrong"), error.message || String(error)),
    retry ? h("button", { type: "button", class: "button secondary small", onclick: retry }, "Try again") : null,
  );
}
