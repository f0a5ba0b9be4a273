#!/usr/bin/env bash
# Sets up a virtual environment (if needed) and runs the gateway.  With no BC_* variables set it
# runs on the embedded Business Central sandbox and prints the GraphiQL URL and a demo token.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/bc-gateway serve "$@"
