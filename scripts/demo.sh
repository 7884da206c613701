#!/usr/bin/env bash
# Set up, then build the seed meeting (Politirådet i Oslo, 13.01.2023).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
meeting=meetings/politiradet/2023-01-13.toml
.venv/bin/referatbygg check "$meeting"
.venv/bin/referatbygg build "$meeting"
