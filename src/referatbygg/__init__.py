"""referatbygg: official, signed minutes from one TOML file per meeting.

The package reads as the product's story: one folder per stage, each importing only what stands
before it in LAYERS (lowest first; tests/test_layout.py holds the code to it, and each folder's
``__init__`` says what it may import). ``__main__`` modules start processes and stand above all.
"""

from __future__ import annotations

__version__ = "0.1.0"

LAYERS = (
    "errors",  # the error hierarchy and exit codes
    "settings",  # limits from the environment, read per command
    "fsutil",  # whole files or nothing; locks; part files
    "runtime",  # the user's private runtime folder
    "heap",  # the imported stack kept out of the garbage collector's way
    "tools",  # one module per external program
    "meeting",  # TOML → validated model; check
    "document",  # model → Word document
    "pdf",  # → PDF/A: converted, merged, tagged, empty signature fields, validated
    "build",  # one build: output names, work folder, build report
    "verify",  # the trust boundary
    "config",  # referatbygg.toml: signers, trust, archive profile
    "signing",  # each signatory, the final timestamp, signatures made elsewhere
    "archive",  # the package and its check
    "pipeline",  # the story in one place
    "batch",  # many meetings at once
    "web",  # the workbench in the browser
    "service",  # the background service
    "cli",  # the command line
)
