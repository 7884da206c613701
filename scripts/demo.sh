#!/usr/bin/env bash
# Set up, then run the whole pipeline on the seed meeting (Politirådet i Oslo, 13.01.2023) with the
# demo PKI: check → build (docx, PDF/A with attachments) → byrådsleder signs → politimester signs →
# final timestamp → archive package; then check the package as the receiving archive would.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rb=.venv/bin/referatbygg
meeting=meetings/politiradet/2023-01-13.toml
agreement=meetings/politiradet/avtaler/politiradsavtale-2023-2025.toml
package=out/politiradet-2023-01-13/pakke/politiradet-2023-01-13.zip
$rb run -q "$agreement"   # the agreement the minutes adopt: signed and packaged on its own too
$rb run "$meeting"
$rb check-package "$package"
echo
echo "Signed minutes:  out/politiradet-2023-01-13/referat.pdf"
echo "Signed agreement: out/politiradet-politiradsavtale-2023-2025/avtale.pdf"
echo "Archive package: $package"
echo "(TEST signatures from the demo PKI in ~/.local/share/referatbygg/demo-pki)"
echo "(the background service keeps LibreOffice warm for the next commands for 15 minutes;"
echo " '.venv/bin/referatbygg service stop' ends it now)"
