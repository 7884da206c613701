"""check's findings in the page's language, naming the field as the form labels it ("Sak 5 ·
Stemmer for"), not the TOML path ("items[4].decision.votes.for").

check's own findings carry a code and their values (meeting/check.py): each code has a bokmål
and a nynorsk sentence here, and tests/test_findings.py requires one for every code check can
give. A file's schema errors come as text ("items[4].decision.votes.for: expected a whole
number, got 'abc'"); they are read by pattern. What neither knows is shown in English, marked
as English for a screen reader — better than nothing, and never silently dropped."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..meeting.check import Problem
from ..meeting.model import Language, Meeting
from .editing import EDITABLE, GROUPS, SUBLISTS
from .texts import Phrases, by_pattern

Translate = Callable[[str], str]

# code → (bokmål, nynorsk); {names} are the finding's values.
CODES: dict[str, tuple[str, str]] = {
    "role_unknown": (
        "signaturrollen «{role}» finnes ikke i organets fil; kjente roller: {known}",
        "signaturrolla «{role}» finst ikkje i fila til organet; kjende roller: {known}",
    ),
    "next_not_after": (
        "neste møte {date} er ikke etter dette møtet",
        "neste møte {date} er ikkje etter dette møtet",
    ),
    "attachment_no_item": (
        "vedlegget «{title}» hører til sak {item}, men det finnes ingen slik sak",
        "vedlegget «{title}» høyrer til sak {item}, men det finst inga slik sak",
    ),
    "attachment_file": (
        "vedlegget «{title}» kan ikke brukes: {reason}",
        "vedlegget «{title}» kan ikkje brukast: {reason}",
    ),
    "notice_untitled": (
        "innkallingen viser «{item}» bare med nummeret: saken har ingen tittel",
        "innkallinga viser «{item}» berre med nummeret: saka har ingen tittel",
    ),
    "organisation_number_missing": (
        "organfilen oppgir ikke organisasjonsnummeret: arkivet trenger det (det står i hver "
        'ekstern nøkkel); skriv organisation_number = "…" (Enhetsregisteret) i organfilen',
        "organfila oppgir ikkje organisasjonsnummeret: arkivet treng det (det står i kvar "
        'ekstern nøkkel); skriv organisation_number = "…" (Einingsregisteret) i organfila',
    ),
    "draft_marked": (
        "møtet er merket som utkast (draft = true): bare utkastet kan bygges, det endelige "
        "referatet først når merket er fjernet",
        "møtet er merka som utkast (draft = true): berre utkastet kan byggjast, det endelege "
        "referatet først når merket er fjerna",
    ),
    "number_missing": (
        "møtet har ikke møtenummer, og organet arkiverer i møtemappe, som krever det: arkiveringen "
        'stopper; skriv number = "…" slik organet nummererer møtene, eller arkiver som '
        'journalpost ([archive] filing = "journalpost" i organfilen)',
        "møtet har ikkje møtenummer, og organet arkiverer i møtemappe, som krev det: arkiveringa "
        'stoppar; skriv number = "…" slik organet nummererer møta, eller arkiver som '
        'journalpost ([archive] filing = "journalpost" i organfila)',
    ),
    "attachment_links": (
        "vedlegget «{title}» lenker til {count} ressurs(er) utenfor filen ({first}); ingenting "
        "hentes når det bygges: PDF-en viser bare det filen selv inneholder",
        "vedlegget «{title}» lenkjer til {count} ressurs(ar) utanfor fila ({first}); ingenting "
        "blir henta når det blir bygd: PDF-en viser berre det fila sjølv inneheld",
    ),
    "attachment_alt": (
        "bildevedlegget «{title}» har ingen alternativ tekst (alt); en skjermleser kan ikke lese "
        "det, og det publiseres ikke som tilgjengelig",
        "biletvedlegget «{title}» har ingen alternativ tekst (alt); ein skjermlesar kan ikkje "
        "lese det, og det blir ikkje publisert som tilgjengeleg",
    ),
    "party_role": (
        "parten «{party}» signerer i rollen «{role}», som organet ikke har; kjente roller: {known}",
        "parten «{party}» signerer i rolla «{role}», som organet ikkje har; kjende roller: {known}",
    ),
    "abbreviation": (
        "«{word}» ser ut som en forkortelse, men står ikke i forkortelseslisten (legg den inn "
        "der, eller i organets kjente ord)",
        "«{word}» ser ut som ei forkorting, men står ikkje i forkortingslista (legg henne inn "
        "der, eller i dei kjende orda til organet)",
    ),
    "series_unknown": (
        "saksserien «{series}» er ikke definert for organet (definert: {known})",
        "saksserien «{series}» er ikkje definert for organet (definert: {known})",
    ),
    "number_twice": (
        "saksnummer {number} er brukt to ganger",
        "saksnummer {number} er brukt to gonger",
    ),
    "number_order": (
        "saksnummer {number} kommer etter {before}: sakene står i nummerrekkefølge; en sak som "
        "ble behandlet i en annen rekkefølge, får «Behandlet etter sak»",
        "saksnummer {number} kjem etter {before}: sakene står i nummerrekkjefølgje; ei sak som "
        "vart handsama i ei anna rekkjefølgje, får «Handsama etter sak»",
    ),
    "number_jump": (
        "saksnumrene hopper fra {before} til {number}",
        "saksnummera hoppar frå {before} til {number}",
    ),
    "number_jump_first": (
        "saksnumrene begynner på {number}, ikke 1 (nummererer organet gjennom året, sett "
        'numbering = "year" i organets fil)',
        "saksnummera byrjar på {number}, ikkje 1 (nummererer organet gjennom året, set "
        'numbering = "year" i fila til organet)',
    ),
    "treated_after_missing": (
        "behandlet etter sak {ref}, men det finnes ingen slik sak",
        "handsama etter sak {ref}, men det finst inga slik sak",
    ),
    "treated_after_self": (
        "en sak kan ikke behandles etter seg selv",
        "ei sak kan ikkje handsamast etter seg sjølv",
    ),
    "signatories_missing": (
        "organet velger signatarer for hvert møte, men dette møtet har ingen; legg dem til "
        "under Signatarer",
        "organet vel signatarar for kvart møte, men dette møtet har ingen; legg dei til under "
        "Signatarar",
    ),
    "signatories_not_here": (
        "møtet har egne signatarer, men organet signerer med sine faste; fjern dem her, eller "
        'sett signatures = "meeting" i organets fil',
        "møtet har eigne signatarar, men organet signerer med dei faste; fjern dei her, eller "
        'set signatures = "meeting" i fila til organet',
    ),
    "signatories_none": (
        "møtet har signatarer, men organet signerer ikke; fjern dem her, eller sett "
        'signatures = "meeting" i organets fil',
        "møtet har signatarar, men organet signerer ikkje; fjern dei her, eller set "
        'signatures = "meeting" i fila til organet',
    ),
    "signatory_no_name": (
        "signataren «{title}» har ikke navn: da kontrolleres ikke hvem som signerer mot en "
        "person (bare mot en låst nøkkel for rollen, om det finnes); skriv navnet når "
        "protokollen har det",
        "signataren «{title}» har ikkje namn: då vert det ikkje kontrollert kven som signerer "
        "mot ein person (berre mot ein låst nøkkel for rolla, om det finst); skriv namnet når "
        "protokollen har det",
    ),
    "attendance_arrived_at": (
        "{who} kom til sak {ref}, men det finnes ingen slik sak",
        "{who} kom til sak {ref}, men det finst inga slik sak",
    ),
    "attendance_left_after": (
        "{who} gikk etter sak {ref}, men det finnes ingen slik sak",
        "{who} gjekk etter sak {ref}, men det finst inga slik sak",
    ),
    "items_missing": (
        "{who} var med på sak {ref}, men det finnes ingen slik sak",
        "{who} var med på sak {ref}, men det finst inga slik sak",
    ),
    "items_and_times": (
        "{who}: sakene de var med på, er oppgitt; «kom til sak» og «gikk etter sak» sier det "
        "samme en gang til",
        "{who}: sakene dei var med på, er oppgitt; «kom til sak» og «gjekk etter sak» seier "
        "det same ein gong til",
    ),
    "chair_present": (
        "{who} er møteleder og står også blant de til stede: møtelederen telles én gang",
        "{who} er møteleiar og står òg blant dei til stades: møteleiaren vert talt éin gong",
    ),
    "present_absent": (
        "{who} står både som til stede og med forfall",
        "{who} står både som til stades og med forfall",
    ),
    "substitute_no_for": (
        "{who}: det står ikke hvem varamedlemmet møtte for; protokoller sier det normalt",
        "{who}: det står ikkje kven varamedlemen møtte for; protokollar seier det normalt",
    ),
    "substitute_for_present": (
        "{who} møtte for {for_}, som ikke står med forfall",
        "{who} møtte for {for_}, som ikkje står med forfall",
    ),
    "conflict_not_participant": (
        "{who} er erklært inhabil, men er ikke blant deltakerne",
        "{who} er erklært ugild, men er ikkje mellom deltakarane",
    ),
    "votes_too_many": (
        "sak {ref}: {total} stemmer, men bare {there} medlem(mer) var til stede i saken (i "
        "behandlingsrekkefølgen)",
        "sak {ref}: {total} røyster, men berre {there} medlem(er) var til stades i saka (i "
        "handsamingsrekkjefølgja)",
    ),
    "voter_not_there": (
        "sak {ref}: {names} stemte, men var ikke til stede i saken etter fremmøtelisten",
        "sak {ref}: {names} røysta, men var ikkje til stades i saka etter oppmøtelista",
    ),
    "closed_no_decision": (
        "sak {ref} ble behandlet for lukkede dører, men har ikke noe vedtak",
        "sak {ref} vart handsama for lukka dører, men har ikkje noko vedtak",
    ),
    "conflict_no_basis": (
        "{who}: hjemmelen for inhabiliteten er ikke oppgitt; protokoller siterer den, f.eks. "
        "«fvl. § 6 første ledd bokstav a»",
        "{who}: heimelen for ugildskapen er ikkje oppgitt; protokollar siterer han, t.d. "
        "«fvl. § 6 første ledd bokstav a»",
    ),
    "basis_none": (
        "hjemmelen «{basis}» viser ikke til noen lovparagraf; protokoller skriver f.eks. "
        "«offl. § 13 jf. fvl. § 13 første ledd nr. 1» (kjente lover: {known})",
        "heimelen «{basis}» viser ikkje til nokon lovparagraf; protokollar skriv t.d. "
        "«offl. § 13 jf. fvl. § 13 første ledd nr. 1» (kjende lover: {known})",
    ),
    "basis_unknown": (
        "hjemmelen «{basis}» viser til noe verktøyet ikke kjenner: {unknown}",
        "heimelen «{basis}» viser til noko verktøyet ikkje kjenner: {unknown}",
    ),
    "basis_not_cited": (
        "hjemmelen «{basis}» viser ikke til {wanted}",
        "heimelen «{basis}» viser ikkje til {wanted}",
    ),
    "basis_no_ledd": (
        "hjemmelen «{basis}» sier ikke hvilket ledd og hvilken bokstav som lukket møtet, "
        "f.eks. «kml. § 11-5 andre ledd bokstav a»",
        "heimelen «{basis}» seier ikkje kva ledd og bokstav som lukka møtet, t.d. «kml. § 11-5 "
        "andre ledd bokstav a»",
    ),
    "logo_file": ("logoen kan ikke brukes: {reason}", "logoen kan ikkje brukast: {reason}"),
    "logo_format": (
        "logoen er ikke et PNG- eller SVG-bilde",
        "logoen er ikkje eit PNG- eller SVG-bilete",
    ),
    "template_font": (
        "malens skrift «{font}» er ikke installert her; LibreOffice bruker en annen",
        "skrifta «{font}» i malen er ikkje installert her; LibreOffice brukar ei anna",
    ),
    "placeholder_name": (
        "signataren «{title}» har fortsatt navnet som ble fylt inn automatisk; skriv hvem "
        "som signerer – ingenting signeres før det er gjort",
        "signataren «{title}» har framleis namnet som vart fylt inn automatisk; skriv kven "
        "som signerer – ingenting vert signert før det er gjort",
    ),
    "date_far": (
        "datoen {date} er langt fra i dag; er det en skrivefeil?",
        "datoen {date} er langt frå i dag; er det ein skrivefeil?",
    ),
    "signing_before": (
        "signeringsdatoen {signed} er før møtet ({date}); protokoller signeres samme dag "
        "eller senere",
        "signeringsdatoen {signed} er før møtet ({date}); protokollar vert signerte same dag "
        "eller seinare",
    ),
    "paragraph_too_long": (
        "et avsnitt på {length} tegn: LibreOffice kan ikke sette avsnitt over {max} tegn på "
        "rimelig tid; del det med blanke linjer, eller legg teksten ved som dokument",
        "eit avsnitt på {length} teikn: LibreOffice kan ikkje setje avsnitt over {max} teikn "
        "på rimeleg tid; del det med blanke liner, eller legg teksten ved som dokument",
    ),
    "paragraph_long": (
        "et avsnitt på {length} tegn gjør byggingen treg; del det med blanke linjer",
        "eit avsnitt på {length} teikn gjer bygginga treg; del det med blanke liner",
    ),
    "text_long": (
        "{length} tegn tekst: byggingen vil ta minutter",
        "{length} teikn tekst: bygginga vil ta minutt",
    ),
    "abbreviations_too_many": (
        "{count} forkortelser: listen ville ta minutter å bygge; høyst {max}",
        "{count} forkortingar: lista ville ta minutt å byggje; høgst {max}",
    ),
    "abbreviations_many": (
        "{count} forkortelser gjør byggingen treg",
        "{count} forkortingar gjer bygginga treg",
    ),
}

# Schema errors and attachment reasons, as text: (pattern, bokmål, nynorsk); groups as {0}, {1}.
_PHRASES: Phrases = [
    (r"required key '(.+)' is missing", "mangler «{0}»", "manglar «{0}»"),
    (
        r"unknown key '(.+?)' \(did you mean '(.+?)'\?\); allowed here: .*",
        "ukjent nøkkel «{0}» (mente du «{1}»?)",
        "ukjend nøkkel «{0}» (meinte du «{1}»?)",
    ),
    (r"unknown key '(.+?)'; allowed here: .*", "ukjent nøkkel «{0}»", "ukjend nøkkel «{0}»"),
    (
        r"expected a date like 2023-01-13, got a date and time .*",
        "skal være en dato som 2023-01-13, uten klokkeslett",
        "skal vere ein dato som 2023-01-13, utan klokkeslett",
    ),
    (
        r"expected a date like 2023-01-13 \(no quotes\), got (.*)",
        "skal være en dato som 2023-01-13, ikke {0}",
        "skal vere ein dato som 2023-01-13, ikkje {0}",
    ),
    (
        r'expected a time like "13:30", got (.*)',
        "skal være et klokkeslett som 13:30, ikke {0}",
        "skal vere eit klokkeslett som 13:30, ikkje {0}",
    ),
    (
        r"expected text in quotes, got (.*)",
        "skal være tekst, ikke {0}",
        "skal vere tekst, ikkje {0}",
    ),
    (r"expected a file name in quotes, got (.*)", "skal være et filnavn", "skal vere eit filnamn"),
    (
        r"expected a whole number, got (.*)",
        "skal være et helt tall, ikke {0}",
        "skal vere eit heilt tal, ikkje {0}",
    ),
    (r"expected true or false, got (.*)", "skal være ja eller nei", "skal vere ja eller nei"),
    (r"must have at least one entry", "må ha minst én", "må ha minst éin"),
    (r"must not be empty", "kan ikke være tom", "kan ikkje vere tom"),
    (
        r"is ([\d,]+) characters long; at most (\d+).*",
        "er {0} tegn lang; høyst {1} tegn",
        "er {0} teikn lang; høgst {1} teikn",
    ),
    (r"(.*) is out of range .*", "{0} er utenfor det tillatte", "{0} er utanfor det tillatne"),
    (
        r"(.*) must start with a letter a–z .*",
        "{0} må begynne med en bokstav a–z og bare ha a–z, sifre og _ (ikke store bokstaver, "
        "bindestrek, mellomrom eller æøå), som «byradsleder»",
        "{0} må byrje med ein bokstav a–z og berre ha a–z, siffer og _ (ikkje store bokstavar, "
        "bindestrek, mellomrom eller æøå), som «byradsleder»",
    ),
    (r"expected a table \(section\), got .*", "skal være en tabell", "skal vere ein tabell"),
    (r"expected a list \[\.\.\.\], got .*", "skal være en liste", "skal vere ei liste"),
    (r"file not found", "filen finnes ikke", "fila finst ikkje"),
    (r"the file is empty", "filen er tom", "fila er tom"),
    (
        r"the PDF is encrypted; ask for an unprotected copy",
        "PDF-en er kryptert; be om en kopi uten beskyttelse",
        "PDF-en er kryptert; be om ein kopi utan vern",
    ),
    (r"the PDF has no pages", "PDF-en har ingen sider", "PDF-en har ingen sider"),
    (
        r"the PDF is damaged and cannot be read .*",
        "PDF-en er skadet og kan ikke leses",
        "PDF-en er skadd og kan ikkje lesast",
    ),
    (
        r"the image is damaged and cannot be read .*",
        "bildet er skadet og kan ikke leses",
        "biletet er skadd og kan ikkje lesast",
    ),
    (
        r"unsupported file type '(.*)' .*",
        "filtypen «{0}» kan ikke brukes (bruk PDF, DOCX, ODT, PNG eller JPEG)",
        "filtypen «{0}» kan ikkje brukast (bruk PDF, DOCX, ODT, PNG eller JPEG)",
    ),
    (
        r"the name says (\w+), but the content is .*",
        "navnet sier {0}, men innholdet er noe annet",
        "namnet seier {0}, men innhaldet er noko anna",
    ),
    (
        r"(\d+) MB, more than the limit of (\d+) MB",
        "{0} MB, mer enn grensen på {1} MB",
        "{0} MB, meir enn grensa på {1} MB",
    ),
    (
        r"the image is .* more than the limit .*",
        "bildet har flere bildepunkter enn grensen",
        "biletet har fleire biletpunkt enn grensa",
    ),
]

# Keys the form does not show as fields, and how a page names them.
_KEYS = {
    "numbers": "Saksnummer", "series": "Serie", "treated_after": "Behandlet etter sak",
    "decision": "Vedtak", "votes": "Stemmer", "proposals": "Forslag", "conflicts": "Inhabilitet",
    "closed": "Lukket møte", "case": "Saksopplysninger", "file": "Fil", "item": "Sak",
    "signatories": "Signatarer", "signatory_names": "Signatarer", "abbreviations":
    "Forkortelser", "next_meetings": "Neste møte", "signing_date": "Signeringsdato",
    "participants": "Deltakere", "remarks": "Merknader", "body": "Organets fil",
    "items": "Saker", "attachments": "Vedlegg", "arrived_at": "Kom til sak",
    "left_after": "Gikk etter sak",
}  # fmt: skip


def item_numbers(meeting: Meeting | None) -> dict[int, str]:
    """Each agenda item's numbers as the form shows them ("7, 8"), by index."""
    if meeting is None:
        return {}
    return {i: ", ".join(map(str, x.numbers)) for i, x in enumerate(meeting.data.items)}


def item_of(problem: Problem) -> int | None:
    """The index of the agenda item a finding is about, if any."""
    loc, _message = _located(problem)
    return loc[1] if len(loc) > 1 and loc[0] == "items" and isinstance(loc[1], int) else None


def _located(problem: Problem) -> tuple[tuple[str | int, ...], str]:
    """The key path a finding is about and its text: check's own say it; a file's schema
    error begins with it ("items[4].decision.votes.for: expected …"). An unknown key is
    placed where it stands, not at the key nobody knows."""
    if problem.code:
        return problem.loc, problem.message
    key, _, rest = problem.message.partition(": ")
    parsed = _parse_key(key) if rest else None
    if parsed is None:
        return problem.loc, problem.message
    return (parsed[:-1] if rest.startswith("unknown key") else parsed), rest


def grouped(
    problems: list[Problem], language: Language, tr: Translate, items: Mapping[int, str]
) -> tuple[dict[int, list[Said]], list[Said]]:
    """The findings as the page says them: by item (index), and those outside the items.
    Under its item, a finding names only the field ("Vedtak og stemmer · Stemmer for")."""
    by_item: dict[int, list[Said]] = {}
    general: list[Said] = []
    for problem in problems:
        said = say(problem, language, tr, items)
        index = item_of(problem)
        if index is not None and index in items:
            head = f"{tr('Sak')} {items[index]}"
            where = said.where.removeprefix(head).removeprefix(" · ")
            by_item.setdefault(index, []).append(dataclasses.replace(said, where=where))
        else:
            general.append(said)
    return by_item, general


@dataclass(frozen=True)
class Said:
    """A finding as the page shows it: where (the field's name; "" when it is the meeting as
    a whole), what (in the page's language), and the English original when no translation was
    found (``english`` True: the text is English and marked so)."""

    severity: str
    where: str
    text: str
    english: bool = False

    def as_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def say(
    problem: Problem, language: Language, tr: Translate, items: Mapping[int, str] | None = None
) -> Said:
    """``problem`` in the page's words. ``items``: item index → its numbers as shown ("5")."""
    loc, message = _located(problem)
    where = field_name(loc, tr, items or {}) if loc else ""
    if problem.code in CODES:
        nb, nn = CODES[problem.code]
        values = {k: _phrase(v, language) for k, v in problem.values.items()}
        return Said(problem.severity, where, (nb if language == "nb" else nn).format(**values))
    plain = re.sub(r" \((agenda item|attachment) [^()]*\)$", "", message)
    text = _phrase(plain, language)
    return Said(problem.severity, where, text, english=text == plain)


# Why a file of the publication set is not accessible (build report ``not_published``).
_NOT_ACCESSIBLE: Phrases = [
    (r"page (\d+) has no text, and OCR found none in it",
     "side {0} har ingen tekst, og tekstgjenkjenning fant ingen",
     "side {0} har ingen tekst, og tekstattkjenning fann ingen"),
    (r"an image attachment needs an alternative text \(alt in the meeting file\)",
     "bildevedlegget trenger en alternativ tekst (alt i møtefilen)",
     "biletvedlegget treng ein alternativ tekst (alt i møtefila)"),
    (r"page (\d+) uses optional content \(layers\)",
     "side {0} bruker valgfritt innhold (lag)", "side {0} bruker valfritt innhald (lag)"),
    (r"no structure \(untagged PDF\)", "uten struktur (umerket PDF)",
     "utan struktur (umerkt PDF)"),
]  # fmt: skip


def not_accessible(reason: str, language: Language) -> tuple[str, bool]:
    """Why a file is not published, in the page's words: (text, still English)."""
    found = by_pattern(_NOT_ACCESSIBLE, reason, language)
    return (found[0].format(*found[1]), False) if found else (reason, True)


def _phrase(text: str, language: Language) -> str:
    found = by_pattern(_PHRASES, text, language)
    return found[0].format(*found[1]) if found else text


def _parse_key(key: str) -> tuple[str | int, ...] | None:
    """'items[4].decision.votes.for' → ('items', 4, 'decision', 'votes', 'for')."""
    if not re.fullmatch(r"[A-Za-z_][\w.\[\]]*", key):
        return None
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", key))


def field_name(loc: tuple[str | int, ...], tr: Translate, items: Mapping[int, str]) -> str:
    """The page's name for the value at ``loc``: 'Sak 5 · Vedtak og stemmer · Stemmer for',
    'Til stede 2 · Navn', 'Dato'."""
    parts: list[str] = []
    rest = list(loc)
    group = ""
    if rest and rest[0] == "participants" and len(rest) > 1 and f"participants.{rest[1]}" in GROUPS:
        group = f"participants.{rest[1]}"
        parts.append(tr(GROUPS[group]))
        rest = rest[2:]
        if rest and isinstance(rest[0], int):
            parts[-1] += f" {int(rest.pop(0)) + 1}"
    elif rest and rest[0] in ("items", "attachments", "signatories", "next_meetings"):
        group = str(rest.pop(0))
        if rest and isinstance(rest[0], int):
            index = rest.pop(0)
            if group == "items":
                parts.append(f"{tr('Sak')} {items.get(index, index + 1)}")
            else:
                parts.append(f"{tr(_KEYS[group])} {index + 1}")
        else:
            parts.append(tr(_KEYS[group]))
    else:
        group = "meeting"
    fields = {f.path: f.label for f in EDITABLE.get(group, ())}
    while rest:
        if str(rest[0]) in SUBLISTS and len(rest) > 1 and isinstance(rest[1], int):
            parts.append(f"{tr(_KEYS[str(rest[0])])} {rest[1] + 1}")
            fields = {f.path: f.label for f in SUBLISTS[str(rest[0])]}
            rest = rest[2:]
            continue
        path = ".".join(str(p) for p in rest)
        label = fields.get(path) or _KEYS.get(path)
        if label is None and len(rest) > 1:
            label = fields.get(".".join(str(p) for p in rest[:-1]))
        # The label without its hint: "Dato", not "Dato (ÅÅÅÅ-MM-DD)".
        parts.append(tr(label or _KEYS.get(str(rest[0]), str(rest[0]))).split(" (")[0])
        break
    return " · ".join(parts)
