#!/usr/bin/env bash
# One command for lint + the whole test suite: bash scripts/test.sh [pytest args]
# Installs what the tests need: Debian chromium (browser tests) and a CJK font for the pages it draws (PNG
# export needs none: it uses data/fonts/), then the pinned Python packages into .venv. CI (.ci/run) calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
bash scripts/setup_env.sh requirements-dev.txt
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
