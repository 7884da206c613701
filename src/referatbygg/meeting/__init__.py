"""The meeting as the secretariat writes it: TOML files in, a validated model out, and ``check``.

The first stage of the story. :mod:`.load` reads the body file (``organ.toml``) and a meeting or
agreement file into models that reject unknown keys (:mod:`.model`, :mod:`.agenda`,
:mod:`.markup`, :mod:`.vocab`), with errors at file and line. The files a meeting names stay
inside its folder tree (:mod:`.inputs`); attachments are looked at for what they really are
(:mod:`.attachments`); the body's Word templates are found here too (:mod:`.templates`), like its
logo. :mod:`.check` finds what a schema cannot say (cross-references, legal bases through
:mod:`.legal`, what the build will meet), and :mod:`.scaffold` writes new files that pass it.

May import: the foundations (errors, fsutil) and tools/ — nothing of a later stage.
"""
