#!/usr/bin/env bash
# Sets up a virtual environment (if needed) and runs everything CI runs: lint, types, tests.
# Usage: bash scripts/check.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# pip's own chatter goes to a log; it is shown only when the install fails.
if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e '.[dev]'; } \
    >.venv/install.log 2>&1; then
  cat .venv/install.log >&2
  echo "installing the project failed (log above)" >&2
  exit 1
fi
echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .  # the docs' Python code blocks too
echo "== mypy --strict gateway"
.venv/bin/mypy gateway
echo "== pytest"
set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
