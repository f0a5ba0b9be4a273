// Runs the graphql-http server audits against a running gateway and prints one JSON report.
// Usage: node audit.mjs <graphql url> [<header name> <header value>]...
// Exit status: 0 when no MUST audit failed, 1 otherwise.
import { serverAudits } from 'graphql-http';

const [url, ...pairs] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs <graphql url> [<header> <value>]...');
  process.exit(2);
}
const extra = {};
for (let i = 0; i + 1 < pairs.length; i += 2) extra[pairs[i]] = pairs[i + 1];

// Every audit request carries the given headers (the gateway needs a bearer token).
function fetchWithHeaders(input, init = {}) {
  const headers = new Headers(init.headers || {});
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetchWithHeaders })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason || null });
}
const failures = results.filter((r) => r.status !== 'ok');
const mustFailures = failures.filter((r) => r.name.startsWith('MUST'));
console.log(JSON.stringify({ total: results.length, failures, mustFailures: mustFailures.length }, null, 2));
process.exit(mustFailures.length === 0 ? 0 : 1);
