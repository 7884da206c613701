"""The archive package of a signed meeting, and its check as the receiving archive runs it.

:mod:`.package` makes the BagIt bag and the Fiks Arkiv message beside it; :mod:`.arkivmelding`
writes the Fiks Arkiv V1 metadata with the archive identities of :mod:`.identities`; :mod:`.check`
is the receiving side — completeness, checksums, schema, signatures, PDF/A.

May import: every stage before it (up to signing/); never pipeline or the interfaces.
"""
