"""The difference-analysis policies: what may change after a signature, and in its own
revision. pyHanko's rules, with form filling limited to signature fields and with a review that
does not compare a revision which changes nothing again.
"""

from __future__ import annotations

from typing import Any

from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DiffResult,
    DocInfoRule,
    DSSCompareRule,
    FormUpdatingRule,
    MetadataUpdateRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
    XrefStreamRule,
)
from pyhanko.sign.diff_analysis.constants import (
    ACROFORM_EXEMPT_STRICT_COMPARISON,
    ROOT_EXEMPT_STRICT_COMPARISON,
)

LTA = ModificationLevel.LTA_UPDATES


class _Policy(StandardDiffPolicy):
    """pyHanko's per-revision review, except that a revision which changes nothing — no object
    written or freed, the same catalog, document information and encryption in its trailer —
    is not diffed again: the document it shows is the one before it, so the verdict would be the
    same. pyHanko compares the signed revision with every later one in full; a file padded with
    empty updates (1,500 of them) made that thousands of identical comparisons per signature."""

    def review_file(
        self, reader: Any, base_revision: Any, field_mdp_spec: Any = None, doc_mdp: Any = None
    ) -> Any:
        base = base_revision if isinstance(base_revision, int) else base_revision.revision
        old = reader.get_historical_resolver(base)
        level, fields = ModificationLevel.NONE, set()
        for revision in range(base + 1, reader.xrefs.total_revisions):
            if changes_nothing(reader, revision):
                continue
            try:
                result = self.apply(old=old, new=reader.get_historical_resolver(revision),
                                    field_mdp_spec=field_mdp_spec, doc_mdp=doc_mdp)  # fmt: skip
            except SuspiciousModification as exc:
                return exc
            level = max(level, result.modification_level)
            fields |= result.changed_form_fields
        return DiffResult(level, fields)


def changes_nothing(reader: Any, revision: int) -> bool:
    xrefs = reader.xrefs
    if xrefs.explicit_refs_in_revision(revision) or xrefs.refs_freed_in_revision(revision):
        return False
    # The revision's own trailer (pyHanko keeps them newest first): a key it sets must keep the
    # value it had. Flattening the whole trailer history per revision made this quadratic.
    own_trailers = getattr(reader.trailer, "_trailer_revisions", None)
    if not isinstance(own_trailers, list) or len(own_trailers) != xrefs.total_revisions:
        return False
    own = own_trailers[len(own_trailers) - 1 - revision]
    for key in ("/Root", "/Info", "/Encrypt"):
        if key in own:
            try:
                before = reader.trailer.raw_get(key, revision=revision - 1)
            except KeyError:
                return False
            if own.raw_get(key) != before:
                return False
    return True


# pyHanko's default policy, except that form filling means filling signature fields only: the
# documents signed here have no other fields, and a text field filled in after a signature is a
# shadow attack (Mainka et al.), not a signatory's work.
DIFF_POLICY = _Policy(
    global_rules=[
        CatalogModificationRule(),
        DocInfoRule().as_qualified(LTA),
        XrefStreamRule().as_qualified(LTA),
        ObjectStreamRule().as_qualified(LTA),
        DSSCompareRule().as_qualified(LTA),
        MetadataUpdateRule().as_qualified(LTA),
    ],
    form_rule=FormUpdatingRule(field_rules=[SigFieldCreationRule(), SigFieldModificationRule()]),
)


# What a signature's own revision may change against the revision before it: filling the field
# also sets /SigFlags in the form and, for a certifying signature, /Perms in the catalog —
# changes pyHanko's analysis never sees from the signature's side. Orphans are not cleared here
# (:func:`.additions.orphans` names them).
SIGNING_POLICY = _Policy(
    global_rules=[
        CatalogModificationRule(ignored_keys=ROOT_EXEMPT_STRICT_COMPARISON | {"/Perms"}),
        DocInfoRule().as_qualified(LTA),
        XrefStreamRule().as_qualified(LTA),
        ObjectStreamRule().as_qualified(LTA),
        DSSCompareRule().as_qualified(LTA),
        MetadataUpdateRule().as_qualified(LTA),
    ],
    form_rule=FormUpdatingRule(
        field_rules=[SigFieldCreationRule(), SigFieldModificationRule()],
        ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
    ),
    ignore_orphaned_objects=False,
)
