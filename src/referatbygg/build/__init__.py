"""One build of a meeting's documents: what it is called and where it goes, the work folder it
is made in, and the report that tells signing what was built from which sources.

The steps themselves belong to document/ and pdf/; pipeline.py calls them in order. Signing
trusts a PDF only through its build report (:mod:`.report`).

May import: the foundations, tools/, meeting/, document/ and pdf/.
"""
