"""Signatures: each signatory's PAdES signature in their own field, the final document
timestamp, and signatures made elsewhere taken in only after they are checked.

:mod:`.pades` signs and timestamps, kept PDF/A by :mod:`.pdfasafe`, with the trust and
revocation data of :mod:`.trust` (shared between commands by :mod:`.sharedtrust`) and the keys
of :mod:`.credentials` (a PKCS#12 file, a PKCS#11 token, the :mod:`.demopki`, or a remote
service over the CSC API, :mod:`.csc`). :mod:`.intake` takes in a signature made in another
tool, :mod:`.deferred` one made from a request file; :mod:`.ledger` records what referatbygg
checked. Before each signature the file is verified (verify/).

May import: the foundations, tools/, meeting/, document/, pdf/, build/, verify/ and config.
"""
