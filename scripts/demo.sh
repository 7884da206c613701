#!/usr/bin/env bash
# Set up, then build and sign the seed meeting (Politirådet i Oslo, 13.01.2023) with the demo PKI:
# docx → PDF/A with attachments → byrådsleder signs → politimester signs → final timestamp → verify.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rb=.venv/bin/referatbygg
meeting=meetings/politiradet/2023-01-13.toml
pdf=out/politiradet-2023-01-13/referat.pdf
$rb check "$meeting"
if [ -f "$pdf" ] && ! $rb verify -q "$pdf" >/dev/null 2>&1; then
  # A half-signed result from an earlier run: keep it aside rather than overwrite a signature.
  mv "$pdf" "$pdf.$(date +%Y%m%d-%H%M%S).bak"
fi
if [ ! -f "$pdf" ]; then
  $rb build "$meeting"
  $rb sign "$pdf" --role byradsleder --no-prompt
  $rb sign "$pdf" --role politimester --no-prompt
  $rb timestamp "$pdf"
fi
$rb verify "$pdf"
$rb validate "$pdf"
echo
echo "Signed minutes: $pdf  (TEST signatures from the demo PKI in ~/.local/share/referatbygg/demo-pki)"
