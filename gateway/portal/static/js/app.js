// The portal's entry point: sign-in, the header (who, company switcher, live state, sign out),
// live updates and the router.

import { Auth, SessionEnded } from "./auth.js";
import { h, replace, loading, errorBox } from "./dom.js";
import { Client } from "./graphql.js";
import { Live } from "./live.js";
import { SESSION } from "./operations.js";
import { Updates } from "./updates.js";
import { routes } from "./views/routes.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const accountBar = document.getElementById("account");
const companySelect = document.getElementById("company");
let auth;
let client;
let updates;
let session = null; // { companies, me }
let renderCount = 0;

async function start() {
  let config;
  try {
    const response = await fetch("config.json", { headers: { Accept: "application/json" } });
    config = await response.json();
  } catch (error) {
    replace(main, errorBox(new Error("The portal's configuration could not be loaded.")));
    return;
  }
  auth = new Auth(config);
  client = new Client(auth);
  const live = new Live(auth, {
    onState: (state) => updates.showState(state),
    onSessionEnded: (error) => showSignIn(error.message),
  });
  updates = new Updates(live, { notices: document.getElementById("notices"), indicator: document.getElementById("live-state") });
  const params = new URLSearchParams(window.location.search);
  if (params.has("code") || params.has("error")) {
    try {
      const next = await auth.completeSignIn(params);
      history.replaceState(null, "", `${auth.redirectUri}${next}`);
    } catch (error) {
      history.replaceState(null, "", auth.redirectUri);
      showSignIn(error.message);
      return;
    }
  }
  document.getElementById("sign-out").addEventListener("click", signOut);
  companySelect.addEventListener("change", () => switchCompany(companySelect.value));
  window.addEventListener("hashchange", render);
  if (!auth.signedIn) {
    showSignIn();
    return;
  }
  await loadSession();
}

async function loadSession() {
  replace(main, loading("Signing you in…"));
  try {
    session = await client.query(SESSION);
  } catch (error) {
    if (error instanceof SessionEnded) return showSignIn(error.message);
    replace(main, errorBox(error, loadSession));
    return;
  }
  const active = session.companies.find((company) => company.active);
  if (active && !client.company) client.setCompany(active.id);
  showChrome();
  updates.begin(client.company);
  await render();
}

function showChrome() {
  accountBar.hidden = false;
  nav.hidden = false;
  document.getElementById("who").textContent = auth.claims.name || (session.me && session.me.name) || "";
  const companies = session.companies;
  const switcher = document.getElementById("company-switch");
  const name = document.getElementById("company-name");
  if (companies.length > 1) {
    replace(
      companySelect,
      companies.map((company) =>
        h("option", { value: company.id, selected: company.id === client.company }, `${company.name || company.id} · ${company.customerNumber}`),
      ),
    );
    switcher.hidden = false;
    name.textContent = "";
  } else {
    switcher.hidden = true;
    name.textContent = companies.length ? companies[0].name || "" : "";
  }
}

async function switchCompany(id) {
  client.setCompany(id);
  updates.switchCompany(id);
  if (window.location.hash === "#/" || window.location.hash === "") await render();
  else window.location.hash = "#/"; // document numbers belong to one company: start over
}

function showSignIn(message) {
  updates.end();
  accountBar.hidden = true;
  nav.hidden = true;
  const returnTo = window.location.hash && window.location.hash !== "#/signed-out" ? window.location.hash : "#/";
  replace(
    main,
    h(
      "section",
      { class: "signin card" },
      h("img", { src: "logo.svg", alt: "", width: 56, height: 56 }),
      h("h1", { tabindex: "-1" }, "Customer Portal"),
      h("p", { class: "subtitle" }, "Orders, invoices, statements, stock and support — in one place."),
      message ? h("div", { class: "alert info", role: "status" }, message) : null,
      h("button", { type: "button", class: "button", id: "sign-in", onclick: () => auth.signIn(returnTo) }, "Sign in"),
    ),
  );
  main.querySelector("h1").focus();
}

async function signOut() {
  updates.end();
  session = null;
  client.setCompany(null);
  await auth.signOut();
  history.replaceState(null, "", `${auth.redirectUri}#/signed-out`);
  showSignIn("You have signed out.");
}

async function render() {
  if (!auth.signedIn || !session) return;
  const ticket = ++renderCount;
  const { view, params } = routes.match(window.location.hash);
  for (const link of nav.querySelectorAll("a")) {
    const current = routes.section(window.location.hash) === link.getAttribute("href");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replace(main, loading());
  const live = updates.enterView();
  const context = { client, auth, session, params, navigate, live, stale: () => ticket !== renderCount };
  try {
    const content = await view(context);
    if (ticket !== renderCount) return; // the user moved on while this was loading
    replace(main, content);
  } catch (error) {
    if (ticket !== renderCount) return;
    if (error instanceof SessionEnded) return showSignIn(error.message);
    replace(main, errorBox(error, render));
  }
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    document.title = `${heading.textContent} · Customer Portal`;
  }
}

function navigate(hash) {
  if (window.location.hash === hash) render();
  else window.location.hash = hash;
}

window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof SessionEnded) {
    event.preventDefault();
    showSignIn(event.reason.message);
  }
});

start();
