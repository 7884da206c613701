"""Times in the order of the revisions. Each signature's time is proved by a timestamp
authority; a later signature timestamped before the earlier one, or a document timestamp
older than the signatures it covers, is the evidence of a wrong clock or of a file put together
afterwards — verify says so, with the tolerance it allowed. The times are made here by the
demo's own timestamp authority told to stamp another time (pyHanko's fixed_dt), as a TSA with a
wrong clock, or a forger with a TSA of his own, would."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import copy_built

from referatbygg import verify
from referatbygg.config import load_config
from referatbygg.signing import pades
from referatbygg.signing.trust import trust

CONFIG = load_config(None)


def _stamped_at(moment: dt.datetime | None) -> None:
    """The demo TSA's clock: ``moment`` from now on (None: the true time)."""
    trust(CONFIG).timestamper.fixed_dt = moment  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _true_time_after() -> object:
    yield None
    _stamped_at(None)


def test_signatures_in_time_order_are_valid(built_seed: Path, tmp_path: Path) -> None:
    pdf = copy_built(built_seed, tmp_path / "referat.pdf")
    for role in ("byradsleder", "politimester"):
        pades.sign(pdf, role, CONFIG, ask=None)
    pades.timestamp(pdf, CONFIG)
    report = verify.verify(pdf, trust(CONFIG).roots)
    assert report.valid, report.summary


def test_a_later_signature_timestamped_before_the_earlier_is_refused(
    built_seed: Path, tmp_path: Path
) -> None:
    pdf = copy_built(built_seed, tmp_path / "referat.pdf")
    pades.sign(pdf, "byradsleder", CONFIG, ask=None)
    _stamped_at(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30))
    pades.sign(pdf, "politimester", CONFIG, ask=None)
    report = verify.verify(pdf, trust(CONFIG).roots, level=None)
    assert not report.valid
    said = "; ".join(report.problems)
    assert re.search(r"politimester \(revision \d+\) is timestamped \S+, 30 min before "
                     r"byradsleder \(revision \d+", said), report.summary  # fmt: skip
    assert "out of the revisions' order (tolerance 2 min)" in said


def test_a_document_timestamp_older_than_its_signatures_is_refused(
    built_seed: Path, tmp_path: Path
) -> None:
    pdf = copy_built(built_seed, tmp_path / "referat.pdf")
    for role in ("byradsleder", "politimester"):
        pades.sign(pdf, role, CONFIG, ask=None)
    _stamped_at(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    pades.timestamp(pdf, CONFIG)
    report = verify.verify(pdf, trust(CONFIG).roots)
    assert not report.valid
    said = "; ".join(report.problems)
    assert re.search(r"Dokumenttidsstempel \(revision \d+\) is timestamped \S+, 60 min "
                     r"before politimester \(revision \d+", said), report.summary  # fmt: skip
