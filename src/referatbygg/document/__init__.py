"""The model becomes a Word document: every sentence the minutes say, and the template that
places them.

:mod:`.lang` holds the fixed words in bokmål and nynorsk, :mod:`.minutes` makes the text of the
minutes and the notice from a meeting, :mod:`.render` fills the Word template (docxtpl,
reproducible bytes) and :mod:`.docxpost` finishes what a template cannot say;
:mod:`.templatecheck` tries a restyled template the way a build would.

May import: the foundations, tools/ and meeting/.
"""
