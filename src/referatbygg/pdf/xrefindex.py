"""pyHanko's cross-reference history, looked up in an index instead of walked for every call.

``XRefCache.get_last_change`` and ``get_historical_ref`` walk back through every revision's
cross-reference section on each call, and pyHanko's difference analysis calls them for every
object it looks at, for every revision after every signature: verifying a file took time in
the square of its revisions (1,500 empty revisions appended to the signed seed: several minutes,
bench/revisions.py). Here each reference's history — the revisions whose sections resolve it,
with what they say — is gathered once per reader, and every question after that is a bisection.
The sections asked are those that name the object number at all (``try_resolve`` raises for any
other), found in an index of the sections' entries made once per reader: a file padded with
empty updates no longer costs a pass over every section per object. The answers are the same by
construction (the same ``try_resolve`` on the same sections, which a reader never changes once
it has read them); tests/test_hexstrings.py holds both to it.
"""

from __future__ import annotations

import bisect
from typing import Any

from pyhanko.pdf_utils import xref

_LAST_CHANGE = xref.XRefCache.get_last_change
_HISTORICAL_REF = xref.XRefCache.get_historical_ref


def _history(cache: Any, ref: Any) -> tuple[list[int], list[Any]]:
    """(revisions, what each resolves ``ref`` to) for every revision whose section names it."""
    index: dict[tuple[int, int], tuple[list[int], list[Any]]]
    index = cache.__dict__.setdefault("_referatbygg_history", {})
    key = (ref.idnum, ref.generation)
    found = index.get(key)
    if found is None:
        revisions: list[int] = []
        results: list[Any] = []
        for ix in _naming(cache).get(ref.idnum, ()):
            section = cache._xref_sections[ix]
            try:
                results.append(section.xref_data.try_resolve(ref))
            except KeyError:
                continue
            revisions.append(ix)
        found = index[key] = (revisions, results)
    return found


def _naming(cache: Any) -> dict[int, list[int]]:
    """Object number → the indexes of the sections whose entries (or hybrid sections') name
    it, in order."""
    naming: dict[int, list[int]] | None = cache.__dict__.get("_referatbygg_naming")
    if naming is None:
        naming = {}
        for ix, section in enumerate(cache._xref_sections):
            data, numbers = section.xref_data, set[int]()
            while data is not None:
                numbers.update(data.xrefs_in_objstm, data.standard_xrefs, data.freed)
                data = data.hybrid.xref_data if data.hybrid is not None else None
            for number in numbers:
                naming.setdefault(number, []).append(ix)
        cache.__dict__["_referatbygg_naming"] = naming
    return naming


def get_last_change(self: Any, ref: Any) -> int:
    revisions, _results = _history(self, ref)
    if not revisions:
        raise KeyError(ref)
    return revisions[-1]


def get_historical_ref(self: Any, ref: Any, revision: int) -> Any:
    revisions, results = _history(self, ref)
    at = bisect.bisect_right(revisions, revision)
    return results[at - 1] if at else None


def install() -> None:
    xref.XRefCache.get_last_change = get_last_change  # type: ignore[method-assign]
    xref.XRefCache.get_historical_ref = get_historical_ref  # type: ignore[method-assign]
