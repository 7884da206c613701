"""The Arkiv page's content: whether the meeting can be packaged, making the package (the final
document timestamp first, when the configuration asks for one — as ``referatbygg run`` does),
and ``check-package``'s verdict on what was made, as the receiving archive would check it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..meeting.load import load_meeting


@dataclass
class View:
    signed_by_all: bool
    waiting: list[str] = field(default_factory=list)  # roles still to sign
    timestamped: bool = False
    zip: Path | None = None  # the BagIt package, when made after the document's last change
    message_zip: Path | None = None  # the Fiks Arkiv message beside it
    # Where the meeting stands with the archive: (phrase, its values), said in the page's
    # language — sent and waiting, received, archived with its numbers, or refused.
    archive: tuple[str, dict[str, str]] | None = None


def view(file: Path, out_root: Path, config: Config) -> View:
    from ..pipeline import status

    st = status(file, out_root, config)
    found = View(st.built and not st.waiting, list(st.waiting), st.timestamped, st.package)
    if st.package is not None:
        message = st.package.with_name(f"{st.package.stem}.fiks-arkiv.zip")
        found.message_zip = message if message.is_file() else None
    found.archive = standing(st.out_dir)
    return found


# What standing() says, for texts.NN (tests/test_web.py checks each has its nynorsk).
STANDINGS = (
    "Arkivet har ikke svart på {kind} laget {when} (ennå ikke lest inn)",
    "Arkivet avviste {kind}: {text}",
    "Arkivet har mottatt {kind}, men ikke kvittert ennå",
    "Arkivert: {numbers}",
)


def standing(out_dir: Path) -> tuple[str, dict[str, str]] | None:
    """The archive record (archive/record.py) as a phrase of the page and its values."""
    from ..archive import record

    dealt = record.read(out_dir)
    exchange = dealt.last_exchange()
    if exchange is None:
        return None
    last, reply = exchange
    kind = "oppdatering" if str(last["meldingstype"]).endswith("oppdater") else "melding"
    if reply is None:
        return STANDINGS[0], {"kind": kind, "when": str(last["written"])}
    if reply.get("outcome") == "error":
        return STANDINGS[1], {"kind": kind, "text": str(reply.get("text"))}
    if reply.get("outcome") == "received":
        return STANDINGS[2], {"kind": kind}
    numbers = record.describe(dealt.archive, ("sak", "journalpost", "systemID"))
    return STANDINGS[3], {"numbers": numbers}


def make(file: Path, out_root: Path, config: Config, say: Callable[[str], None]) -> Any:
    """Final timestamp (when due), package, then check it; returns check-package's report."""
    from ..build.layout import lock_for, main_pdf, out_dir_for
    from ..fsutil import locked
    from ..pipeline import make_archive
    from ..signing import pades

    meeting = load_meeting(file)
    pdf = main_pdf(meeting, out_dir_for(meeting, out_root))
    # The meeting's lock, as `referatbygg run` holds it: a run of the same meeting from the
    # command line meanwhile waits, and does not package beside this.
    with locked(lock_for(meeting, out_root)):
        if config.final_timestamp and pdf.is_file() and not pades.has_document_timestamp(pdf):
            say("endelig dokumenttidsstempel")
            pades.timestamp(pdf, config)
        say("lager arkivpakken")
        package = make_archive(meeting, out_root, config, progress=say)
    say("kontrollerer pakken slik arkivet gjør")
    return check(package.zip, config)


def check(zip_file: Path, config: Config) -> Any:
    from ..archive.check import check_package
    from ..signing.trust import trust

    tr = trust(config)
    return check_package(zip_file, tr.roots, signature_level=config.signature_level,
                         pins=config.pins(), others=tr.others,
                         signers=config.archive.signers)  # fmt: skip
