#!/usr/bin/env bash
# One command to launch the app on the embedded demo data: bash scripts/run.sh
# Binds to 127.0.0.1 (see .streamlit/config.toml); pass --server.port 8502 etc. to change.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements.txt
exec .venv/bin/python scripts/serve.py "$@"  # streamlit run app.py, its analytics imported first
