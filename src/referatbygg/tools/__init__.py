"""One module per external program: how to find it, its version, the one function that runs it.

Every subprocess goes through :mod:`.proc`. :mod:`.libreoffice` supervises LibreOffice (warm,
through :mod:`.unostart`, or cold), :mod:`.ghostscript` writes PDF/A, :mod:`.verapdf` drives
veraPDF's engine in a warm JVM (:mod:`.jvm`), :mod:`.rsvg` rasterises SVG logos, and
:mod:`.doctor` says what this machine has of all of them.

May import: the foundations (errors) only — the tools know nothing of meetings.
"""
