"""The workbench's words in nynorsk. The pages are written in bokmål and say every phrase
through ``_()``; a meeting of a nynorsk body (``language = "nn"`` in organ.toml) gets these
instead. A phrase missing here stays bokmål — tests/test_web.py checks that none is missing.
check's findings are said in nynorsk by findings.py; intake's reasons are English, as on the
command line."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..meeting.model import Language

NN: dict[str, str] = {
    # base
    "Hopp til innholdet": "Hopp til innhaldet",
    "Hovedmeny": "Hovudmeny",
    "Møter": "Alle møte",
    "Dette møtet": "Dette møtet",
    "Møte": "Møte",
    "Forhåndsvisning": "Førehandsvising",
    "Signaturer": "Signaturar",
    "Arkiv": "Arkiv",
    # states and steps (meetings.py)
    "utkast": "utkast",
    "bygget": "bygd",
    "venter på {who}": "ventar på {who}",
    "tidsstemplet": "tidsstempla",
    "arkivert": "arkivert",
    "endret etter bygging": "endra etter bygging",
    "feil": "feil",
    # job.html
    "pågår …": "held på …",
    "stoppet": "stoppa",
    "Råd": "Råd",
    "ferdig": "ferdig",
    "bygging av referatet": "bygging av referatet",
    "bygging av avtalen": "bygging av avtalen",
    "bygging av utkastet": "bygging av utkastet",
    "bygging av innkallingen": "bygging av innkallinga",
    "innsending": "innsending",
    "signering": "signering",
    "arkivering": "arkivering",
    # meeting.html
    "Fil": "Fil",
    "Status": "Status",
    "Lagret.": "Lagra.",
    "Filen ble endret på disken mens du skrev": "Fila vart endra på disken medan du skreiv",
    "Ingenting ble lagret. Skjemaet viser filen slik den er nå, med endringene dine lagt inn; "
    "se over og lagre igjen.": "Ingenting vart lagra. Skjemaet viser fila slik ho er no, med "
    "endringane dine lagde inn; sjå over og lagra igjen.",
    "Møtet er endret etter at dokumentet ble bygget": "Møtet er endra etter at dokumentet vart "
    "bygd",
    "Endret": "Endra",
    "Dokumentet viser ikke endringen, så ingen signerer det. En ny signeringsrunde bygger møtet på "
    "nytt; det som er signert til nå, beholdes i mappen tidligere/.": "Dokumentet viser ikkje "
    "endringa, så ingen signerer det. Ein ny signeringsrunde byggjer møtet på nytt; det som er "
    "signert til no, vert teke vare på i mappa tidligere/.",
    "Start ny signeringsrunde": "Start ny signeringsrunde",
    "testsignatur": "testsignatur",
    "demo-nøkler, ikke en gyldig underskrift": "demo-nøklar, ikkje ei gyldig underskrift",
    "Testsignaturer laget med demo-nøkler: de viser at signeringen virker, men er ingen gyldig "
    "underskrift.": "Testsignaturar laga med demo-nøklar: dei viser at signeringa verkar, men er "
    "inga gyldig underskrift.",
    "Filen kan ikke leses som TOML": "Fila kan ikkje lesast som TOML",
    "linje": "linje",
    "kolonne": "kolonne",
    "Rett teksten her og lagre; skjemaet kommer tilbake når filen kan leses.": "Rett teksten her "
    "og lagra; skjemaet kjem tilbake når fila kan lesast.",
    "Møtefilen": "Møtefila",
    "Feilen er på linje": "Feilen er på linje",
    "Møtet": "Møtet",
    "åpne i full størrelse": "opne i full storleik",
    "uten tidsstempel": "utan tidsstempel",
    "med tidsstempel": "med tidsstempel",
    "med tidsstempel og data for å kontrollere den i mange år": "med tidsstempel og data for å "
    "kontrollere henne i mange år",
    "med arkivtidsstempel: kan kontrolleres i mange år": "med arkivtidsstempel: kan kontrollerast "
    "i mange år",
    "Historikk": "Historikk",
    "Møtet er signert.": "Møtet er signert.",
    "En endring lager en ny versjon: det signerte dokumentet beholdes, og en ny signeringsrunde "
    "må startes under Signaturer.": "Ei endring lagar ein ny versjon: det signerte dokumentet "
    "vert teke vare på, og ein ny signeringsrunde må startast under Signaturar.",
    "Ja, jeg lager en ny versjon": "Ja, eg lagar ein ny versjon",
    "Hver lagring fra arbeidsbenken, med hvem, når og hva som ble endret. Den nyeste står "
    "først.": "Kvar lagring frå arbeidsbenken, med kven, når og kva som vart endra. Den nyaste "
    "står først.",
    "Ingen lagringer fra arbeidsbenken ennå.": "Ingen lagringar frå arbeidsbenken enno.",
    "Versjon": "Versjon",
    "slik filen er nå": "slik fila er no",
    "Endringene": "Endringane",
    "Gjenopprett versjon": "Gjenopprett versjon",
    "Legg til vedlegg": "Legg til vedlegg",
    "Fil (PDF, DOCX, ODT, PNG eller JPEG)": "Fil (PDF, DOCX, ODT, PNG eller JPEG)",
    "Til sak (nummer)": "Til sak (nummer)",
    "Lagre endringene i skjemaet over før du laster opp: opplastingen lagrer bare vedlegget.": (
        "Lagra endringane i skjemaet over før du lastar opp: opplastinga lagrar berre vedlegget."
    ),
    "Last opp vedlegget": "Last opp vedlegget",
    "Fjern saken": "Fjern saka",
    "Ny sak": "Ny sak",
    "Legg til": "Legg til",
    "Flytt opp": "Flytt opp",
    "Flytt ned": "Flytt ned",
    "Fjern": "Fjern",
    "Møteleder": "Møteleiar",
    "Varamedlemmer": "Varamedlemer",
    "Fra administrasjonen": "Frå administrasjonen",
    "Andre til stede": "Andre til stades",
    "Referent": "Referent",
    "Neste møter": "Neste møte",
    "Signatarer for dette møtet": "Signatarar for dette møtet",
    "Dato (ÅÅÅÅ-MM-DD)": "Dato (ÅÅÅÅ-MM-DD)",
    "Fra klokken (TT:MM)": "Frå klokka (TT:MM)",
    "Til klokken (TT:MM)": "Til klokka (TT:MM)",
    "Sted": "Stad",
    "Møtenummer": "Møtenummer",
    "Merknader": "Merknader",
    "Merknad": "Merknad",
    "Møtte for": "Møtte for",
    "Rolle-id (a–z, 0–9, _)": "Rolle-id (a–z, 0–9, _)",
    "Felt": "Felt",
    "På disken nå": "På disken no",
    "Din endring": "Endringa di",
    "endret av begge": "endra av begge",
    "Du har endringer som ikke er lagret.": "Du har endringar som ikkje er lagra.",
    "Funn utenfor sakene": "Funn utanfor sakene",
    "ingen": "ingen",
    "Feil": "Feil",
    "Advarsel": "Åtvaring",
    "Saker": "Saker",
    "Sak": "Sak",
    "Vedtak og stemmer": "Vedtak og røyster",
    "Offentlighet": "Offentlegheit",
    "nei": "nei",
    "ja": "ja",
    "standard": "standard",
    "Tittel": "Tittel",
    "Type": "Type",
    "Orientering ved": "Orientering ved",
    "Tekst": "Tekst",
    "Vedtak": "Vedtak",
    "Enstemmig": "Samrøystes",
    "Stemmer for": "Røyster for",
    "Stemmer mot": "Røyster mot",
    "Blanke stemmer": "Blanke røyster",
    "Alternativ tekst (hva bildet viser)": "Alternativ tekst (kva biletet viser)",
    "Forfatter (tom: organet)": "Forfattar (tom: organet)",
    "Unntatt offentlighet: hjemmel (tom: offentlig)": "Unnateke offentlegheit: heimel (tom: "
    "offentleg)",
    "Navn": "Namn",
    "Rolle": "Rolle",
    "Parti": "Parti",
    "Vedlegg": "Vedlegg",
    "Til stede": "Til stades",
    "Forfall": "Forfall",
    "(uten navn)": "(utan namn)",
    "Lagre": "Lagre",
    "Neste møte": "Neste møte",
    "Lager møtefilen for neste møte ut fra dette: datoen fra listen over neste møter, de samme "
    "medlemmene og signatarene, åpningssakene. Ingen fil blir skrevet over.": "Lagar møtefila "
    "for neste møte ut frå dette: datoen frå lista over neste møte, dei same medlemmene og "
    "signatarane, opningssakene. Inga fil blir skriven over.",
    "Nytt møte etter dette": "Nytt møte etter dette",
    # preview.html
    "Ikke publisert: ikke universelt utformet (PDF/UA-1)": "Ikkje publisert: ikkje universelt "
    "utforma (PDF/UA-1)",
    "Bygg referatet": "Bygg referatet",
    "Bygg avtalen": "Bygg avtalen",
    "Bygg utkast": "Bygg utkast",
    "Bygg innkalling": "Bygg innkalling",
    "Dokumenter": "Dokument",
    "Dokumentet": "Dokumentet",
    "Offentlig versjon": "Offentleg versjon",
    "Utkast": "Utkast",
    "Innkalling": "Innkalling",
    "sider": "sider",
    "side": "side",
    "av": "av",
    "Last ned PDF": "Last ned PDF",
    "Byggerapport": "Byggjerapport",
    "gyldig": "gyldig",
    "IKKE gyldig": "IKKJE gyldig",
    "nivå": "nivå",
    "Deler": "Delar",
    "Til publisering": "Til publisering",
    "Advarsler": "Åtvaringar",
    "er ikke bygget ennå.": "er ikkje bygd enno.",
    # signatures.html
    "Filen ble ikke tatt imot": "Fila vart ikkje teken imot",
    "Ingenting ble lagret.": "Ingenting vart lagra.",
    "Dokumentet er ikke bygget ennå.": "Dokumentet er ikkje bygd enno.",
    "Bygg det under Forhåndsvisning": "Bygg det under Førehandsvising",
    "Signatarer, i den rekkefølgen de signerer": "Signatarar, i den rekkjefølgja dei signerer",
    "Tidspunkt": "Tidspunkt",
    "Kontroll": "Kontroll",
    "signert": "signert",
    "venter – neste": "ventar – neste",
    "venter": "ventar",
    "Dokumentet har endelig tidsstempel.": "Dokumentet har endeleg tidsstempel.",
    "Neste signatur": "Neste signatur",
    "Last ned dokumentet som skal signeres": "Last ned dokumentet som skal signerast",
    "og send det til": "og send det til",
    "Det signeres i eget PDF-verktøy (smartkort, BankID-tjeneste) og sendes tilbake uendret.": (
        "Det blir signert i eige PDF-verktøy (smartkort, BankID-teneste) og sendt tilbake uendra."
    ),
    "Last opp filen som er signert av": "Last opp fila som er signert av",
    "PDF, høyst": "PDF, høgst",
    "Ta imot signert fil": "Ta imot signert fil",
    "Filen kontrolleres før den tas inn: at det er dokumentet som ble sendt, med én signatur "
    "lagt til i rett felt, av rett person, med et sertifikat vi stoler på, og at PDF/A er "
    "bevart.": "Fila blir kontrollert før ho blir teken inn: at det er dokumentet som vart "
    "sendt, med éin signatur lagd til i rett felt, av rett person, med eit sertifikat vi stolar "
    "på, og at PDF/A er teke vare på.",
    "Signer her som": "Signer her som",
    "nøkkelen er satt opp på denne maskinen": "nøkkelen er sett opp på denne maskina",
    "Alle har signert.": "Alle har signert.",
    "Videre til arkivering": "Vidare til arkivering",
    "Dokumentet er ikke gyldig signert. Grunnen står under.": "Dokumentet er ikkje gyldig "
    "signert. Grunnen står under.",
    "Signaturene så langt er gyldige. Neste som skal signere: {who}.": "Signaturane så langt er "
    "gyldige. Neste som skal signere: {who}.",
    "Alle har signert, og signaturene er gyldige.": "Alle har signert, og signaturane er gyldige.",
    # archive.html
    "Pakken kan lages når alle har signert. Venter på": "Pakken kan lagast når alle har "
    "signert. Ventar på",
    "at dokumentet bygges": "at dokumentet blir bygd",
    "Til signaturene": "Til signaturane",
    "Lag arkivpakke": "Lag arkivpakke",
    "Lag arkivpakken på nytt": "Lag arkivpakken på nytt",
    "Dokumentet får først sitt endelige tidsstempel.": "Dokumentet får først det endelege "
    "tidsstempelet sitt.",
    "Pakken (BagIt med arkivmelding og kontrollsummer) og Fiks Arkiv-meldingen lages, og "
    "pakken kontrolleres slik arkivet gjør når den kommer inn.": "Pakken (BagIt med "
    "arkivmelding og kontrollsummar) og Fiks Arkiv-meldinga blir laga, og pakken blir "
    "kontrollert slik arkivet gjer når han kjem inn.",
    "Kontroll av pakken": "Kontroll av pakken",
    "IKKE OK": "IKKJE OK",
    "Problem": "Problem",
    "Last ned": "Last ned",
    "Arkivpakken": "Arkivpakken",
    "Fiks Arkiv-meldingen": "Fiks Arkiv-meldinga",
    "I arkivet": "I arkivet",
    "Arkivet har ikke svart på {kind} laget {when} (ennå ikke lest inn)": "Arkivet har ikkje "
    "svart på {kind} laga {when} (ikkje lese inn enno)",
    "Arkivet avviste {kind}: {text}": "Arkivet avviste {kind}: {text}",
    "Arkivet har mottatt {kind}, men ikke kvittert ennå": "Arkivet har motteke {kind}, men "
    "ikkje kvittert enno",
    "Arkivert: {numbers}": "Arkivert: {numbers}",
    "Svaret fra arkivet leses inn med": "Svaret frå arkivet blir lese inn med",
    # the item form's sections and the findings' field names (editing.py, findings.py)
    "(uten tittel)": "(utan tittel)",
    "Arkivkode": "Arkivkode",
    "Arkivsak (f.eks. 23/1234)": "Arkivsak (t.d. 23/1234)",
    "Avgjøres av": "Vert avgjort av",
    "Bare med i sakene (f.eks. 3, 4, RS 2)": "Berre med i sakene (t.d. 3, 4, RS 2)",
    "Behandlet etter sak": "Handsama etter sak",
    "Deltakere": "Deltakarar",
    "Erklært": "Erklært",
    "Erstattet av": "Erstatta av",
    "Forkortelser": "Forkortingar",
    "Forslag": "Forslag",
    "Forslaget": "Forslaget",
    "Fratrådte": "Fråtredde",
    "Fremmet av": "Fremja av",
    "Gikk etter sak": "Gjekk etter sak",
    "Gikk klokken (TT:MM)": "Gjekk klokka (TT:MM)",
    "Hjemmel (f.eks. fvl. § 6 første ledd bokstav a)": "Heimel (t.d. fvl. § 6 første ledd "
    "bokstav a)",
    "Hjemmel for lukket møte (f.eks. kml. § 11-5 andre ledd bokstav a)": "Heimel for lukka "
    "møte (t.d. kml. § 11-5 andre ledd bokstav a)",
    "Hver sak er foldet sammen; åpne den for å skrive. Saker med funn er åpne.": "Kvar sak er "
    "falda saman; opne henne for å skrive. Saker med funn er opne.",
    "Ingen saker": "Ingen saker",
    "Inhabilitet": "Ugildskap",
    "Kom klokken (TT:MM)": "Kom klokka (TT:MM)",
    "Kom til sak": "Kom til sak",
    "Lukket møte": "Lukka møte",
    "Mer": "Meir",
    "Merknad til vedtaket (dissens, protokolltilførsel)": "Merknad til vedtaket (dissens, "
    "protokolltilførsel)",
    "Nummer og rekkefølge": "Nummer og rekkjefølgje",
    "Objekt (f.eks. gnr. 12/3)": "Objekt (t.d. gnr. 12/3)",
    "Organets fil": "Fila til organet",
    "Organisasjon": "Organisasjon",
    "Saksbehandler": "Sakshandsamar",
    "Saksgang (én linje per organ og dato)": "Saksgang (éi line per organ og dato)",
    "Saksnummer": "Saksnummer",
    "Saksnummer (flere: 7, 8)": "Saksnummer (fleire: 7, 8)",
    "Saksopplysninger": "Saksopplysningar",
    "Serie": "Serie",
    "Serie (tom: hovedserien)": "Serie (tom: hovudserien)",
    "Signatarer": "Signatarar",
    "Signeringsdato": "Signeringsdato",
    "Slags forslag": "Slag forslag",
    "Stemmer": "Røyster",
    "Stemte for (ett navn per linje)": "Røysta for (eitt namn per line)",
    "Stemte mot (ett navn per linje)": "Røysta mot (eitt namn per line)",
    "Til sak": "Til sak",
    "Tilleggssak (meldt på møtet)": "Tilleggssak (meld på møtet)",
    "Tittel utad": "Tittel utetter",
    "Vedtak utad": "Vedtak utetter",
    "Vedtatt": "Vedteke",
    "Vis neste møter under saken": "Vis neste møte under saka",
    "etter stemmene": "etter røystene",
    "funn": "funn",
    "inhabil av organet": "ugild av organet",
    "inhabil selv": "ugild sjølv",
    "orientering": "orientering",
    "sak": "sak",
    "ikke 2a med PDF/UA-1 på grunn av": "ikkje 2a med PDF/UA-1 på grunn av",
    # job.html: why the work stopped
    "Arbeidet stoppet.": "Arbeidet stoppa.",
    "Møtefilen har feil. Rett dem under Møte og bygg igjen.": "Møtefila har feil. Rett dei "
    "under Møte og bygg på nytt.",
    "En fil kan ikke brukes slik den er.": "Ei fil kan ikkje brukast slik ho er.",
    "Et verktøy som trengs, mangler på denne maskinen.": "Eit verktøy som trengst, manglar på "
    "denne maskina.",
    "Et dokument kunne ikke gjøres om til PDF.": "Eit dokument kunne ikkje gjerast om til PDF.",
    "Signaturen kunne ikke lages eller tas imot.": "Signaturen kunne ikkje lagast eller takast "
    "imot.",
    "Dokumentet besto ikke kontrollen.": "Dokumentet stod ikkje kontrollen.",
    "Arkivpakken kunne ikke lages.": "Arkivpakken kunne ikkje lagast.",
    "Resultatet kan ikke skrives: disken er full, skrivebeskyttet, eller tilgangen mangler.": (
        "Resultatet kan ikkje skrivast: disken er full, skriveverna, eller tilgangen manglar."
    ),
    "En intern feil i referatbygg; det som var laget fra før, er urørt.": "Ein intern feil i "
    "referatbygg; det som var laga frå før, er urørt.",
    "Den tekniske meldingen (engelsk)": "Den tekniske meldinga (engelsk)",
    "Grunnen, slik verktøyet sier den (engelsk)": "Grunnen, slik verktøyet seier han (engelsk)",
}


Phrases = list[tuple[str, str, str]]  # (pattern of the English text, bokmål, nynorsk)


def by_pattern(table: Phrases, text: str, language: Language) -> tuple[str, tuple[str, ...]] | None:
    """The phrase (in ``language``) of the first pattern that matches all of ``text``, and the
    pattern's groups to put into it; None when none matches. The library's English lines —
    progress, schema errors — said in the page's words."""
    for pattern, nb, nn in table:
        found = re.fullmatch(pattern, text, flags=re.DOTALL)
        if found:
            return (nb if language == "nb" else nn), found.groups()
    return None


def translator(language: Language) -> Callable[[str], str]:
    """``_`` for the pages: the phrase in the body's written standard."""
    if language == "nn":
        return lambda text: NN.get(text, text)
    return lambda text: text
