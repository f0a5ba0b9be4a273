// GraphQL subscriptions over one WebSocket: a small client of graphql-transport-ws, the protocol
// the gateway speaks on /graphql (graphql-ws's PROTOCOL.md).
//
// connection_init carries the bearer token and the chosen company; after every connection_ack
// each subscription is sent again, so a dropped socket costs only what happened while it was
// down.  The server's pings are answered.  The token is never left to run out: shortly before it
// expires Auth refreshes it, and the fresh one goes to the server as the payload of a ping — how
// the gateway extends a socket's life (gateway/edge/live/connection.py) — without reconnecting.
// A dropped socket is opened again after about 1, 2, 4 … 30 s; close() (sign-out) ends it all.

import { SessionEnded } from "./auth.js";

const SUBPROTOCOL = "graphql-transport-ws";
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;
const REFRESH_RETRY_MS = 5000; // the identity provider did not answer a refresh: ask again
const CLOSE_NORMAL = 1000;
const CLOSE_FORBIDDEN = 4403; // the token was refused or ran out: refresh it before reconnecting

// States: "off" (not started, or closed), "connecting", "live", "reconnecting".
export class Live {
  constructor(auth, { path = "/graphql", onState = () => {}, onSessionEnded = () => {}, random = Math.random } = {}) {
    this.auth = auth;
    this.path = path;
    this.onState = onState;
    this.onSessionEnded = onSessionEnded;
    this.random = random;
    this.state = "off";
    this.operations = new Map(); // id → { document, variables, sink: { next, error } }
    this.lastId = 0;
    this.socket = null;
    this.company = null;
    this.running = false;
    this.generation = 0; // bumped by connect() and close(): a stale attempt or socket is ignored
    this.attempt = 0; // consecutive failed connections, for the backoff
    this.retryTimer = null;
    this.refreshTimer = null;
    this.forceRefresh = false;
    auth.onRefresh((token) => this.sendToken(token));
  }

  get url() {
    const url = new URL(this.path, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    return url.href;
  }

  // Connects — again, when already connected: a socket belongs to one company — and stays
  // connected until close().
  connect(company) {
    this.company = company || null;
    this.running = true;
    this.attempt = 0;
    this.hangUp();
    this.open();
  }

  // Closes the socket for good and forgets every subscription (sign-out).
  close() {
    this.running = false;
    this.operations.clear();
    this.hangUp();
    this.setState("off");
  }

  // Runs `document` and hands each result to sink.next({data, errors}); sink.error(errors) when
  // the gateway refuses it.  Returns a function that stops it.
  subscribe(document, variables, sink) {
    const id = String(++this.lastId);
    this.operations.set(id, { document, variables, sink });
    if (this.state === "live") this.sendSubscribe(id);
    return () => {
      if (this.operations.delete(id) && this.state === "live") this.send({ id, type: "complete" });
    };
  }

  async open() {
    const generation = ++this.generation;
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    let token;
    try {
      token = await this.auth.accessToken({ force: this.forceRefresh });
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof SessionEnded) return this.sessionEnded(error);
      return this.retry(); // the identity provider did not answer: the next attempt asks again
    }
    if (generation !== this.generation) return; // closed, or connected anew, meanwhile
    this.forceRefresh = false;
    const socket = new WebSocket(this.url, SUBPROTOCOL);
    this.socket = socket;
    socket.addEventListener("open", () => {
      const payload = { Authorization: `Bearer ${token}` };
      if (this.company) payload["X-BC-Company"] = this.company;
      this.send({ type: "connection_init", payload });
    });
    socket.addEventListener("message", (event) => socket === this.socket && this.receive(event.data));
    socket.addEventListener("close", (event) => socket === this.socket && this.dropped(event.code));
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    const operation = this.operations.get(message.id);
    switch (message.type) {
      case "connection_ack":
        this.attempt = 0;
        this.setState("live");
        for (const id of this.operations.keys()) this.sendSubscribe(id);
        this.scheduleRefresh();
        break;
      case "ping":
        this.send({ type: "pong" });
        break;
      case "next":
        if (operation) operation.sink.next(message.payload);
        break;
      case "error":
        if (operation) this.refused(message.id, operation, message.payload || []);
        break;
      case "complete":
        this.operations.delete(message.id);
        break;
    }
  }

  // A subscribe the gateway refused: over the customer's rate limit, it is sent again once the
  // gateway says it may be; otherwise it cannot run (the document is not on the safelist …).
  refused(id, operation, errors) {
    const limited = errors.find((error) => error.extensions && error.extensions.code === "RATE_LIMITED");
    if (!limited) {
      this.operations.delete(id);
      operation.sink.error(errors);
      return;
    }
    const seconds = Number(limited.extensions.retryAfter) || 1;
    const generation = this.generation;
    setTimeout(() => {
      if (generation === this.generation && this.state === "live" && this.operations.has(id)) this.sendSubscribe(id);
    }, seconds * 1000);
  }

  dropped(code) {
    this.socket = null;
    clearTimeout(this.refreshTimer);
    if (!this.running) return;
    if (code === CLOSE_FORBIDDEN) this.forceRefresh = true;
    this.retry();
  }

  retry() {
    const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt);
    this.attempt += 1;
    this.setState("reconnecting");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), ceiling / 2 + (this.random() * ceiling) / 2);
  }

  // Wakes up when Auth would refresh the token, and has it refreshed: onRefresh then sends it.
  scheduleRefresh(delay = this.auth.refreshDueIn()) {
    clearTimeout(this.refreshTimer);
    if (delay === null || !this.running) return;
    this.refreshTimer = setTimeout(() => this.refreshToken(), Math.max(delay, FIRST_RETRY_MS));
  }

  async refreshToken() {
    try {
      await this.auth.accessToken();
    } catch (error) {
      if (error instanceof SessionEnded) return this.sessionEnded(error);
      return this.scheduleRefresh(REFRESH_RETRY_MS);
    }
    if (this.state === "live") this.scheduleRefresh();
  }

  sendToken(token) {
    if (this.state !== "live") return; // a connection still to come sends it in connection_init
    this.send({ type: "ping", payload: { Authorization: `Bearer ${token}` } });
    this.scheduleRefresh();
  }

  sessionEnded(error) {
    this.close();
    this.onSessionEnded(error);
  }

  sendSubscribe(id) {
    const { document, variables } = this.operations.get(id);
    this.send({ id, type: "subscribe", payload: { query: document, variables } });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  hangUp() {
    this.generation += 1;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(CLOSE_NORMAL);
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.onState(state);
  }
}
