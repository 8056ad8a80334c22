#!/usr/bin/env bash
# The whole check: lint, types, then every test (the sandbox and real-server ones included).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m ruff check .
python3 -m mypy
python3 -m pytest -q
