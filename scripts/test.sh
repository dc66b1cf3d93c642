#!/usr/bin/env bash
# The README's test command: install what the tests need (on a clean machine too), then lint,
# type-check and run the whole test suite. Run from anywhere: `bash scripts/test.sh`.
# With CI set (as .ci/run does), a test whose prerequisites are missing fails instead of
# skipping.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Playwright drives Debian's Chromium; it must never try to download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${apt_updated:-}" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  apt-get install -y -qq --no-install-recommends "$@"
}

echo "== system packages"
[ -x /usr/bin/chromium ] || apt_install chromium
command -v npm >/dev/null || apt_install nodejs npm

echo "== npm packages (package-lock.json)"
npm ci --no-audit --no-fund

echo "== Python packages"
python -m pip install -q -e ".[test]"

echo "== ruff"
python -m ruff check .
python -m ruff format --check .

echo "== mypy"
python -m mypy

echo "== pytest"
status=0
python -m pytest -q || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit "$status"
