"""The Signaturer page's content: per signatory, where the signature stands and when it was made;
the verify report said plainly; and taking in a file signed elsewhere, checked before anything
is written.

The states and times come from the library's own reading (``signing.pades.signing_state`` and
``verify.verify`` against the configured trust), so the page and ``referatbygg verify`` never
disagree.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..document import lang
from ..meeting.model import Language, Meeting
from ..verify import VerifyReport
from ..verify.signature import SignatureReport

UPLOAD_LIMIT = 100 * 2**20  # a signed copy of minutes with attachments; more is refused unread


class UploadRefused(Exception):
    """An upload that is not written anywhere; the message is for the page."""


@dataclass
class Signatory:
    role: str
    title: str
    name: str
    signed: bool
    turn: bool  # the next to sign
    here: bool  # credentials on this machine: "sign here" is offered
    when: str = ""  # as the timestamp proves it (else as the signer claims), Norwegian
    verdict: str = ""  # plain words from the verify report


@dataclass
class View:
    meeting: Meeting
    working: Path | None  # the document being signed (None: not built yet)
    signatories: list[Signatory] = field(default_factory=list)
    timestamped: bool = False
    summary: str = ""  # the verify report in one sentence, in Norwegian
    valid: bool | None = None  # None: nothing signed yet, nothing to judge
    details: list[str] = field(default_factory=list)  # the report's problems and notes
    changed: list[str] = field(default_factory=list)  # sources changed since the build

    @property
    def turn(self) -> Signatory | None:
        """The next to sign — nobody while the document no longer shows the sources."""
        if self.changed:
            return None
        return next((s for s in self.signatories if s.turn), None)


def view(meeting: Meeting, out_root: Path, config: Config) -> View:
    """The page's content, in the body's written standard."""
    from ..build.layout import main_pdf, out_dir_for
    from ..signing import pades
    from .texts import translator

    _ = translator(meeting.language)
    pdf = main_pdf(meeting, out_dir_for(meeting, out_root))
    if not pdf.is_file():
        return View(meeting, None, [
            Signatory(s.role, s.title, s.name or "", False, i == 0, config.signs_here(s.role))
            for i, s in enumerate(meeting.signatories)
        ])  # fmt: skip
    people = {s.role: s for s in meeting.signatories}
    # The signatories' own fields (a document timestamp intake added for a signature made
    # without one is that signature's evidence, not a signatory).
    fields = [f for f in pades.signing_state(pdf) if f.role in people]
    turn = next((f.role for f in fields if not f.signed), None)
    from ..build.report import changed_sources

    result = View(meeting, pdf, timestamped=pades.has_document_timestamp(pdf),
                  changed=changed_sources(meeting, out_dir_for(meeting, out_root)))  # fmt: skip
    report = _report(pdf, config) if any(f.signed for f in fields) else None
    by_field = {s.field_name: s for s in report.signatures} if report else {}
    for f in fields:
        person = people.get(f.role)
        entry = Signatory(f.role, person.title if person else f.role,
                          (person.name or "") if person else "", f.signed, f.role == turn,
                          config.signs_here(f.role))  # fmt: skip
        sig = by_field.get(f.role)
        if sig is not None:
            entry.when = _when(sig, meeting.language, _)
            entry.verdict = _verdict(sig, _, config.demo)
        result.signatories.append(entry)
    if report is not None:
        result.valid = report.valid
        result.summary = _summary(report, turn, _, config.demo)
        result.details = [*report.problems, *(p for s in report.signatures for p in s.problems)]
    return result


def _report(pdf: Path, config: Config) -> VerifyReport:
    from ..build.report import expected_signers_of
    from ..signing.trust import trust
    from ..verify import verify

    tr = trust(config)
    return verify(
        pdf, tr.roots, level=config.signature_level, complete=False, pins=config.pins(),
        others=tr.others, signers=expected_signers_of(pdf),
    )  # fmt: skip


def _when(sig: SignatureReport, language: Language, _: Callable[[str], str]) -> str:
    moment = sig.timestamp or sig.signing_time
    if not moment:
        return ""
    from zoneinfo import ZoneInfo

    at = dt.datetime.fromisoformat(moment).astimezone(ZoneInfo("Europe/Oslo"))
    proved = "" if sig.timestamp else f" ({_('oppgitt av den som signerte')})"
    return f"{lang.long_date(at.date(), lang=language)} {_('kl.')} {at:%H.%M}{proved}"


# PAdES levels in words a secretary can pass on.
LEVELS = {
    "B-B": "uten tidsstempel",
    "B-T": "med tidsstempel",
    "B-LT": "med tidsstempel og data for å kontrollere den i mange år",
    "B-LTA": "med arkivtidsstempel: kan kontrolleres i mange år",
}


def _verdict(sig: SignatureReport, _: Callable[[str], str], demo: bool = False) -> str:
    """A signature in plain words; one made with the demo PKI's keys is a test signature, never
    "gyldig" — it proves the chain works, not that anyone signed."""
    if sig.valid:
        who = f" {_('av')} {sig.holder}" if sig.holder else ""
        if demo:
            return f"{_('testsignatur')}{who} ({_('demo-nøkler, ikke en gyldig underskrift')})"
        return f"{_('gyldig signatur')}{who} ({_(LEVELS.get(sig.pades_level, sig.pades_level))})"
    return f"{_('ikke gyldig')}: " + "; ".join(sig.problems or [_("se rapporten fra verify")])


def _summary(
    report: VerifyReport, turn: str | None, _: Callable[[str], str], demo: bool = False
) -> str:
    if not report.valid:
        return _("Dokumentet er ikke gyldig signert. Grunnen står under.")
    if demo:
        return _("Testsignaturer laget med demo-nøkler: de viser at signeringen virker, men er "
                 "ingen gyldig underskrift.")  # fmt: skip
    if turn:
        return _("Signaturene så langt er gyldige. Neste som skal signere: {who}.").format(who=turn)
    return _("Alle har signert, og signaturene er gyldige.")


def store_upload(body: Path, content_type: str, cache: Path) -> Path:
    """Keep the file field ``signert`` of an uploaded form (``body``, on disk) where intake can
    read it — the server's own scratch folder, never the meeting's outputs — after the checks
    that need no PDF reader."""
    from .multipart import copy_field

    folder = cache / "innsendt"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}.pdf"
    if not copy_field(body, content_type, "signert", path):
        raise UploadRefused("filen er ikke en PDF (ingen fil ble sendt)")
    with path.open("rb") as fh:
        start = fh.read(5)
    problem = None
    if path.stat().st_size > UPLOAD_LIMIT:
        problem = f"filen er for stor (over {UPLOAD_LIMIT // 2**20} MB)"
    elif start != b"%PDF-":
        problem = "filen er ikke en PDF (den begynner ikke med %PDF-)"
    if problem:
        path.unlink()
        raise UploadRefused(problem)
    return path


def take_in(upload: Path, working: Path, config: Config, say: Callable[[str], None]) -> str:
    """The library's intake (the checks of ``referatbygg receive``); the upload is removed
    afterwards, taken in or not."""
    from ..signing import intake

    try:
        taken = intake.receive(upload, working, config, progress=say)
    finally:
        upload.unlink(missing_ok=True)
    return taken.role
