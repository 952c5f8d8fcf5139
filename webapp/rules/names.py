"""People's names: family and given name, accent/case folding, and the keys students are
searched and ordered by (columns `students.search_key` and `students.sort_key`).

Pure functions, no database and no Flask. Every write of a student's name stores
`name_keys(name)` beside it (models.Student.save, bulk inserts, importers), so search is a
plain `LIKE` on a folded column and ordering a plain `ORDER BY`, the same on SQLite and
PostgreSQL whatever their collations.
"""
import unicodedata

# Letters that NFKD does not decompose into a base letter plus marks, folded to what a
# person types on a plain keyboard (keys are already case-folded when this applies).
EXTRA_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th",
    "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ƒ": "f", "ɨ": "i", "ʉ": "u",
    "ɍ": "r", "ƀ": "b", "ȼ": "c", "ɇ": "e", "ɉ": "j", "ƶ": "z", "ǥ": "g", "ɫ": "l",
    "ς": "σ",  # Greek final sigma is the same letter
})
# Apostrophes vanish ("O'Brien" is found by "obrien"); other punctuation splits words.
APOSTROPHES = str.maketrans("", "", "'’ʼ`´‘")
# Separates the search key's spellings, so a query never matches across two of them.
SPELLINGS_APART = "|"


def fold(text):
    """`text` as searched and compared: no accents or case in any script, letters NFKD
    leaves alone spelled out (Ł→l, Ø→o, ß→ss, Æ→ae, Þ→th, ı→i …), apostrophes dropped,
    any other punctuation a single space. "Łukasiewicz" → "lukasiewicz"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = bare.casefold().translate(EXTRA_LETTERS).translate(APOSTROPHES)
    # Marks NFKD split off a letter the table then changed (none today) and marks that
    # are no `combining` class still go: keep letters and digits only.
    words = "".join(ch if ch.isalnum() else " " for ch in folded
                    if unicodedata.category(ch)[0] != "M")
    return " ".join(words.split())


def split_name(name):
    """(family, given) of a name written "Family, Given" or "Given Family": the part
    before the comma, else the last word, is the family name. "Plato" → ("Plato", "")."""
    name = " ".join((name or "").split())
    if "," in name:
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    given, _, family = name.rpartition(" ")
    return family, given


def search_key(name):
    """The folded name in every spelling a search may use: "given family", "family,
    given" and "family given" — "ada lovelace|lovelace, ada|lovelace ada"."""
    family, given = (fold(part) for part in split_name(name))
    if not given:
        return family
    return SPELLINGS_APART.join((f"{given} {family}", f"{family}, {given}", f"{family} {given}"))


def search_pattern(query):
    """What to look for in `search_key` (with LIKE '%…%'): the folded query, where a
    comma means "Family, Given" ("Lovelace , A" → "lovelace, a"). '' if nothing is left."""
    if "," not in (query or ""):
        return fold(query)
    family, _, given = query.partition(",")
    family, given = fold(family), fold(given)
    if not family:
        return given
    return f"{family}, {given}" if given else f"{family},"


def sort_key(name):
    """Orders by family name, then given name, folded (accents and case do not count).

    Stored as the hex digits of the folded names' UTF-8 bytes, family and given apart by
    a zero byte: only [0-9a-f], which every collation (C, ICU, glibc en_US …) sorts like
    the bytes they spell, so PostgreSQL under any locale orders as SQLite does, and a
    shorter family name sorts before a longer one it starts ("Lee" before "Leeds")."""
    family, given = (fold(part) for part in split_name(name))
    return (family.encode() + b"\0" + given.encode()).hex()


def name_keys(name):
    """{"search_key", "sort_key"} to store with a student called `name`: the one function
    every write path (forms, API, CLI, bulk inserts, importers) uses."""
    return {"search_key": search_key(name), "sort_key": sort_key(name)}
