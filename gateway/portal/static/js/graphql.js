// A small GraphQL client: POST /graphql with the bearer token and the chosen company, one retry
// after a refresh if the gateway says the token is no longer good, and errors as exceptions.

export class GraphQLError extends Error {
  constructor(message, { code = null, status = 0, errors = [] } = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.errors = errors;
  }
}

export class Client {
  constructor(auth, endpoint = "/graphql") {
    this.auth = auth;
    this.endpoint = endpoint;
    this.company = sessionStorage.getItem("portal.company");
  }

  setCompany(id) {
    this.company = id;
    if (id) sessionStorage.setItem("portal.company", id);
    else sessionStorage.removeItem("portal.company");
  }

  // The whole answer {data, errors}; throws when there is no data at all.
  async execute(document, variables = {}) {
    let response = await this.post(document, variables, await this.auth.accessToken());
    if (response.status === 401) {
      response = await this.post(document, variables, await this.auth.accessToken({ force: true }));
    }
    const body = await response.json().catch(() => null);
    if (response.status === 429) {
      const wait = response.headers.get("Retry-After");
      throw new GraphQLError(`Too many requests just now${wait ? `; try again in ${wait} s` : ""}.`, {
        status: 429,
      });
    }
    if (!body || (!body.data && !body.errors)) {
      throw new GraphQLError(`The gateway answered ${response.status}.`, { status: response.status });
    }
    if (!body.data) throw fromErrors(body.errors, response.status);
    return body;
  }

  // Only the data; any error (a field the tenant cannot answer, a null root field) throws.
  async query(document, variables = {}) {
    const body = await this.execute(document, variables);
    if (body.errors && body.errors.length) throw fromErrors(body.errors, 200);
    return body.data;
  }

  post(document, variables, token) {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      Authorization: `Bearer ${token}`,
    };
    if (this.company) headers["X-BC-Company"] = this.company;
    return fetch(this.endpoint, {
      method: "POST",
      headers,
      body: JSON.stringify({ query: document, variables }),
    });
  }
}

function fromErrors(errors, status) {
  const first = (errors && errors[0]) || {};
  const code = (first.extensions && first.extensions.code) || null;
  return new GraphQLError(first.message || "The request failed.", { code, status, errors: errors || [] });
}
