#!/usr/bin/env bash
# Sets up a virtual environment (if needed) and runs the gateway.  With no BC_* variables set it
# runs on the embedded Business Central sandbox and prints the GraphiQL URL and a demo token.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
echo "setting up .venv (first run: a minute) …"
# pip's own chatter goes to a log; it is shown only when the install fails.
if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e .; } \
    >.venv/install.log 2>&1; then
  cat .venv/install.log >&2
  echo "installing the project failed (log above)" >&2
  exit 1
fi
exec .venv/bin/bc-gateway serve "$@"
