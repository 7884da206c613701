"""Intake: a signature made elsewhere — in the signatory's own PDF tool, by a signing service —
checked before anything else happens, then made long-term verifiable.

The returned file must be our document with one more signature and nothing else: the working
file's bytes unchanged at its start; exactly the next signatory's field signed; nothing changed
besides the signature (pyHanko's difference analysis from the last revision we checked); every
signature valid and trusted, and signed by the person the signature block names (the same verdict
as ``verify``); still the PDF/A (and PDF/UA) it claimed. Then the validation data goes into the DSS
and, when the signature carries no timestamp of its own, a document timestamp follows it at once:
so the final package validates as PAdES B-LTA. Anything else is refused with a reason that names
the role and what the signatory should do; the working file stays as it was.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, append_signature_field
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation import add_validation_info

from ..build.report import expected_signers_of
from ..config import Config
from ..errors import InputError, SigningError
from ..fsutil import locked, write_atomic
from ..meeting.load import display
from ..pdf import pdfa
from ..pdf.fields import TIMESTAMP_FIELD
from ..verify import VerifyReport, structure, verify
from ..verify.policies import SIGNING_POLICY
from ..verify.structure import plain
from . import ledger, pades
from .pdfasafe import metadata_frozen
from .trust import trust

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


class IntakeRefused(SigningError):
    """A returned document that is not taken in; the working file is unchanged."""


@dataclass
class Intake:
    role: str
    pdf: Path
    added: list[str] = field(default_factory=list)
    report: VerifyReport | None = None

    def as_dict(self) -> dict[str, object]:
        return {"role": self.role, "pdf": str(self.pdf), "added": self.added,
                "verify": self.report.as_dict() if self.report else None}  # fmt: skip


def expected_role(pdf: Path) -> str | None:
    """The signatory who signs next: the first unsigned field, in signing order."""
    return next((f.role for f in pades.signing_state(pdf) if not f.signed), None)


def receive(
    returned: Path, working: Path, config: Config, *, role: str | None = None,
    progress: Progress | None = None,
) -> Intake:  # fmt: skip
    """Take the signed ``returned`` file in as the new ``working`` file (or refuse it)."""
    say = progress or (lambda _m: None)
    with locked(working.with_name(f".{working.name}.lock")):
        base = working.read_bytes()
        try:
            data = returned.read_bytes()
        except OSError as exc:
            raise SigningError(f"{display(returned)}: cannot read it ({exc.strerror})") from None
        expected = expected_role(working)
        who = role or expected or "the signatory"
        if expected is None:
            raise IntakeRefused(
                f"{display(working)} has every signature already; nothing to take in"
            )
        if role and role != expected:
            raise IntakeRefused(
                f"{role}: it is {expected}'s turn to sign (the body's signing order)",
                hint=f"take in {expected}'s signature first",
            )
        _same_document(data, base, working, who)
        stage = working.parent / "work" / f"{working.stem}-inn-{expected}.pdf"
        stage.parent.mkdir(parents=True, exist_ok=True)
        stage.write_bytes(data)
        try:
            say(f"check {expected}'s signature")
            report, repaired = _check(stage, base, expected, config, working)
            say("validation data and timestamp")
            added = [*repaired, *_long_term(stage, expected, report, config)]
            intake = Intake(expected, working, added, report)
            _still_valid(stage, expected, config, working)
            if working.read_bytes() != base:
                raise SigningError(
                    f"{display(working)} was changed while the signature was taken in; nothing "
                    "was written, take it in again"
                )
            shutil.copyfile(stage, working.with_name(f".{working.name}.intake"))
            working.with_name(f".{working.name}.intake").replace(working)
        finally:
            stage.unlink(missing_ok=True)
            with contextlib.suppress(OSError):  # made for this intake: nothing left behind
                stage.parent.rmdir()
        ledger.record(working, "received", expected)
        log.info("took in %s's signature into %s", expected, working)
        return intake


def _same_document(data: bytes, base: bytes, working: Path, who: str) -> None:
    if data == base:
        raise IntakeRefused(
            f"{who}: the returned file has no new signature; it is the file as sent"
        )
    if not data.startswith(base):
        raise IntakeRefused(
            f"{who}: the returned file is not the document sent for signing: it does not begin "
            f"with the {len(base)} bytes of {display(working)} (the document was saved again, "
            "not appended to: the PDF tool wrote a new file instead of adding a signature to "
            "this one)",
            hint="ask the signatory to sign the file as sent, with the tool's signing function "
            "(not 'save as' or 'print to PDF'), and send it back unchanged",
        )


def _check(
    stage: Path, base: bytes, role: str, config: Config, working: Path
) -> tuple[VerifyReport, list[str]]:
    """The verdict on the returned file, and what was put right in its PDF/A (repair.py)."""
    tr = trust(config)
    report = verify(stage, tr.roots, level=None, complete=False, pins=config.pins(),
                    others=tr.others, signers=expected_signers_of(working))  # fmt: skip
    if not report.valid:
        raise IntakeRefused(
            f"{role}: the returned file is not taken in: " + report.summary.removeprefix(
                "NOT VALID: "),
            hint=_hint(role, report.summary),
        )  # fmt: skip
    base_revisions = len(structure.read(base).revisions)
    new = [s for s in report.signatures if (s.revision or 0) > base_revisions]
    signatures = [s for s in new if s.kind == "signature"]
    if len(signatures) != 1:
        raise IntakeRefused(
            f"{role}: the returned file adds {len(signatures)} signatures; exactly one, "
            f"{role}'s, was expected"
        )
    if signatures[0].field_name != role:
        raise IntakeRefused(
            f"{role}: the signature is in the field '{signatures[0].field_name}', not in "
            f"{role}'s: it is {role}'s turn to sign",
            hint=f"ask {role} to sign in the field titled for {role}",
        )
    earlier = any(s.kind == "signature" and (s.revision or 0) <= base_revisions
                  for s in report.signatures)  # fmt: skip
    with stage.open("rb") as fh:  # one strict reading for both questions
        reader = PdfFileReader(fh, strict=True)
        _nothing_else(reader, base_revisions - 1, role)
        _certification(reader, role, first=not earlier)
    checked = pdfa.validate(stage)
    before = pdfa.flavours_claimed(working)[0]
    if checked.valid and checked.claimed == before:
        return report, []
    return report, _repair(stage, base_revisions - 1, role, before, checked, config)


def _repair(stage: Path, base_revision: int, role: str, before: str, checked: pdfa.PdfaReport,
            config: Config) -> list[str]:  # fmt: skip
    """Put right, after the signature, what the signing tool did to the catalog and metadata
    (repair.py), then prove it: veraPDF passes the claimed part, pyHanko's own validation finds
    every signature whole and every later change allowed, and so does our policy. What is left
    is refused with its reason in plain words."""
    from . import reasons, repair

    restored = repair.restore(stage.read_bytes(), base_revision)
    if restored.changes:
        trial = stage.with_name(stage.stem + "-rettet.pdf")
        trial.write_bytes(restored.data)
        try:
            again = pdfa.validate(trial)
            if again.valid and again.claimed == before:
                found = repair.prove(restored.data, trust(config).context)
                if found:  # the policy said yes above; a bug here would show as this
                    raise IntakeRefused(
                        f"{role}: the document's {before} could not be put right without "
                        f"touching a signature: {'; '.join(found)}"
                    )
                with trial.open("rb") as fh:
                    _nothing_else(PdfFileReader(fh, strict=True), base_revision, role)
                trial.replace(stage)
                return [f"{before} put right after the signature: " + "; ".join(restored.changes)]
        finally:
            trial.unlink(missing_ok=True)
        checked = again  # what the repair could not put right
    part = before.split(" + ")[0]
    said, advice = reasons.explain(checked.findings, part)
    if checked.claimed != before and not checked.findings:
        said = [f"the file no longer claims {before} (it claims {checked.claimed})"]
    raise IntakeRefused(
        f"{role}: the signature is valid, but the signing tool broke the document's {before} "
        f"in a way that cannot be put right after it: {'; '.join(said)}",
        hint=f"ask {role} to {advice}",
    )


# What a refusal asks of the signatory, by what verify found (the first that matches): a
# certificate nobody trusts is the first thing to mend, whose it is the next.
_HINTS = (
    (("was added after the document was built",),
     "ask {role} to sign in the signature field the document has for them ('{role}'), not in a "
     "new one"),
    (("trusted root", "expired", "not yet valid", "revoked", "too weak", "may not be used"),
     "ask {role} to sign with a valid certificate from an issuer this archive trusts (a "
     "current eID or company certificate, SHA-256)"),
    (("should sign as", "but the certificate is", "pins for"),
     "ask {role} to sign with their own certificate"),
    (("changed", "own revision", "adds objects", "field", "annotation"),
     "ask {role} to sign the file as sent, without comments, form edits, metadata or other "
     "changes, and send it back unchanged"),
)  # fmt: skip


def _hint(role: str, summary: str) -> str:
    for needles, hint in _HINTS:
        if any(n in summary for n in needles):
            return hint.format(role=role)
    return (f"ask {role} to sign the file as sent with the PDF tool's signing function, and to "
            "send it back unchanged (not saved again, repaired or printed to PDF)")  # fmt: skip


def _certification(reader: PdfFileReader, role: str, *, first: bool) -> None:
    """A certifying signature (DocMDP) only as the first, and never one that allows no changes:
    after P=1 nobody can sign, nor can the timestamp that keeps the document verifiable be
    added — the meeting could not be finished."""
    signed = next(s for s in reader.embedded_signatures if s.field_name == role)
    level = signed.docmdp_level
    if level is None:
        return
    if not first:
        raise IntakeRefused(
            f"{role}: the signature certifies the document (DocMDP), but {role} is not its "
            "first signatory: only the first signature may certify a document",
            hint=f"ask {role} to sign with an ordinary (approval) signature, not to certify",
        )
    if level == MDPPerm.NO_CHANGES:
        raise IntakeRefused(
            f"{role}: the signature certifies the document with 'no changes allowed' (DocMDP "
            "P=1): the other signatories could not sign after it, nor could the timestamp be "
            "added that keeps the signatures verifiable",
            hint=f"ask {role} to sign without certifying, or to certify with 'form filling and "
            "signing allowed'",
        )


def _nothing_else(reader: PdfFileReader, base_revision: int, role: str) -> None:
    """Between the last revision we checked and the end: filling signature fields, validation
    data and timestamps only (pyHanko's difference analysis)."""
    try:
        result = SIGNING_POLICY.review_file(reader, base_revision)
    except Exception as exc:
        raise IntakeRefused(f"{role}: what changed cannot be read ({plain(exc)})") from None
    level = getattr(result, "modification_level", None)
    if level is None or level > ModificationLevel.FORM_FILLING:
        raise IntakeRefused(
            f"{role}: the document was changed besides the signature ({result})",
            hint="sign the file as sent, without comments, form edits or other changes",
        )


def _long_term(stage: Path, role: str, report: VerifyReport, config: Config) -> list[str]:
    """Validation data for the new signature, and a document timestamp when it has none."""
    tr = trust(config)
    added = []
    new = next(s for s in report.signatures if s.field_name == role)
    with metadata_frozen():
        data = stage.read_bytes()
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sig = next(s for s in reader.embedded_signatures if s.field_name == role)
        out = io.BytesIO()
        try:
            add_validation_info(sig, tr.context, output=out)
        except Exception as exc:
            raise SigningError(
                f"{role}: the signature is valid, but its validation data could not be "
                f"gathered ({plain(exc)})",
                hint="check the connection to the certificate's issuer, then take it in again",
            ) from None
        added.append("validation data (DSS)")
        if new.timestamp is None:
            stamped = io.BytesIO()
            field = f"{TIMESTAMP_FIELD}-{role}"
            writer = IncrementalPdfFileWriter(io.BytesIO(out.getvalue()), strict=False)
            # Its invisible field on the last page, beside the final timestamp's, whose page
            # already takes its tab order from the structure (PDF/UA-1 7.18.3); pyHanko's own
            # choice, the first page, has none.
            append_signature_field(writer, SigFieldSpec(sig_field_name=field, on_page=-1))
            PdfTimeStamper(tr.timestamper, field_name=field).timestamp_pdf(
                writer, "sha256", validation_context=tr.context, output=stamped,
            )  # fmt: skip
            out = stamped
            added.append(f"document timestamp ({field}): the signature had none")
    stage.write_bytes(out.getvalue())
    checked = pdfa.validate(stage)
    if not checked.valid:  # ours: a bug if it happens, never a silent pass
        raise SigningError(f"{role}: adding validation data broke PDF/A ({checked.summary}); "
                           "nothing was taken in")  # fmt: skip
    return added


def _still_valid(stage: Path, role: str, config: Config, working: Path) -> None:
    """What intake wrote is judged as the next signature will judge it: a file that its own
    verify would then refuse (a signing tool that set no /SigFlags, and the form changed by the
    validation data after it) is not kept."""
    tr = trust(config)
    report = verify(stage, tr.roots, level=None, complete=False, pins=config.pins(),
                    others=tr.others, signers=expected_signers_of(working))  # fmt: skip
    if not report.valid:
        raise IntakeRefused(
            f"{role}: the signature is valid, but with the validation data added the file no "
            "longer verifies: " + report.summary.removeprefix("NOT VALID: "),
            hint=f"ask {role} to sign with another tool, or to sign here; the returned file was "
            "not taken in",
        )


# --- what comes back ---------------------------------------------------------------------------


def take_in_saved(pdf: Path, config: Config, say: Callable[[str], None]) -> str:
    """A file signed elsewhere was saved over the working file: the last state referatbygg
    checked becomes the working file again, and the saved file goes through intake."""
    import datetime as dt

    base = ledger.unchecked(pdf)
    assert base is not None
    kept = pdf.with_name(f"{pdf.stem}-mottatt-{dt.datetime.now():%Y%m%d-%H%M%S}.pdf")
    shutil.copyfile(pdf, kept)
    write_atomic(pdf, base)
    say(f"intake: a signature made elsewhere was saved over {pdf.name}; checking it")
    try:
        taken = receive(kept, pdf, config, progress=lambda m: say(f"intake: {m}"))
    except IntakeRefused as exc:
        raise IntakeRefused(
            f"{exc.message}. The returned file is kept as {display(kept)}; {pdf.name} is as it "
            "was before it",
            hint=exc.hint,
        ) from None
    kept.unlink()
    return f"intake {taken.role}"


def find_working(returned: Path, out_root: Path) -> Path:
    """The working PDF a returned file continues: the one whose bytes it begins with."""
    try:
        data = returned.read_bytes()
    except OSError as exc:
        raise InputError(f"{display(returned)}: cannot read it ({exc.strerror})") from None
    for candidate in sorted(out_root.glob("*/*.pdf")):
        if candidate.stem not in ("referat", "avtale") or candidate.resolve() == returned.resolve():
            continue
        size = candidate.stat().st_size
        if len(data) > size and data.startswith(candidate.read_bytes()):
            return candidate
    raise IntakeRefused(  # a refusal of what came back (exit 6), as receive documents
        f"{display(returned)} continues none of the documents being signed in {display(out_root)}",
        hint="name the meeting with --meeting, or check that the signatory sent back the file "
        "as it was sent, with a signature added",
    )
