#!/usr/bin/env bash
# Install what the tests need (the test extras; Debian's chromium, haproxy, wrk and WeasyPrint's
# libraries and fonts when missing) and
# run the whole suite. Extra arguments go to pytest. PostgreSQL, Redis, Chromium or HAProxy that
# cannot be reached are skipped with the reason shown, unless TRACKER_REQUIRE_SERVICES=1 (CI).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests…"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk; } \
    || echo "Could not install chromium: the browser tests will be skipped."
fi

# WeasyPrint (the gate minutes' PDF) needs Debian's pango and HarfBuzz's subsetter, and the
# Noto CJK fonts for Chinese; install whichever is missing.
missing=""
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "Installing Debian's$missing for the PDF minutes…"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  # shellcheck disable=SC2086
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq $missing; } \
    || echo "Could not install$missing: the PDF tests will be skipped."
fi

if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "Installing Debian's haproxy for the replica test…"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq haproxy; } \
    || echo "Could not install haproxy: the replica test will be skipped."
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing Debian's wrk for the load benchmark's test…"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq wrk; } \
    || echo "Could not install wrk: the load benchmark's test will be skipped."
fi

if ! command -v soffice >/dev/null 2>&1; then
  echo "Installing Debian's LibreOffice (headless) to open the exported workbooks…"
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq \
    && $sudo_cmd apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui \
      libreoffice-writer-nogui; } \
    || echo "Could not install LibreOffice: the workbook-opens test will be skipped."
fi

exec .venv/bin/pytest "$@"
