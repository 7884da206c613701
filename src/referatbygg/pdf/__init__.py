"""The PDF/A document: each attachment converted by what it really is, the minutes merged with
them, tagged where it can be accessible, and given the empty signature fields — then validated.

:mod:`.convert` turns documents into PDF/A (LibreOffice, Ghostscript, Pillow), cleaning
attachments of active content (:mod:`.sanitize`) and fitting their pages to A4 (:mod:`.pages`);
:mod:`.assemble` merges, with bookmarks and page labels, adding the signature fields of
:mod:`.fields`; :mod:`.tagging` finishes LibreOffice's tagged output for PDF/UA-1; :mod:`.pdfa`
keeps the claim true and validates it with veraPDF's engine. :mod:`.hexstrings` and
:mod:`.xrefindex` speed up pyHanko's reading of signed files (used by verify/ and signing/).

May import: the foundations, tools/, meeting/ and document/ (an agreement attached to the
minutes is rendered like the minutes).
"""
