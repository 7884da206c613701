"""The heavy stack's import-time heap, kept out of the cyclic garbage collector's way.

Importing pyHanko, asn1crypto, pydantic's schemas and the rest leaves a few hundred thousand
long-lived objects. Python's collector walks all of them again at every full collection, and
one meeting's signing and verification allocate enough to trigger several: measured on the
bench, 0.1–0.2 s of every warm meeting went to walking objects that live as long as the
process. ``gc.freeze()`` moves what is alive now to a permanent generation the collector skips
(objects are still freed by reference counting; only cycles among them are never collected,
which for imported modules they never would be anyway). In a process that forks workers (the
service's zygote, a batch), freezing before the fork also keeps the collector from touching —
and so copying — the parent's pages in every child.
"""

from __future__ import annotations

import gc
import importlib


def settle(*modules: str) -> None:
    """Import ``modules`` (what the coming work will import anyway), collect once, and freeze
    what is left. Once per process: a process forked from a settled one is settled already."""
    for name in modules:
        importlib.import_module(name)
    if gc.get_freeze_count():
        return
    gc.collect()
    gc.freeze()
