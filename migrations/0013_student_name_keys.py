"""Students are searched and ordered by family name: `search_key` (the folded name in its
"given family", "family, given" and "family given" spellings) and `sort_key` (hex of the
folded family and given names), with an index to list students in that order.

The keys of existing students are computed here with a frozen copy of the folding in
webapp/rules/names.py as it was when this migration was written (a migration never
imports webapp); the app keeps them up to date from then on. Rolling back drops the two
columns and leaves every name as it was.
"""
import unicodedata

from peewee import SQL, TextField

_LETTERS = str.maketrans({
    "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th",
    "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ƒ": "f", "ɨ": "i", "ʉ": "u",
    "ɍ": "r", "ƀ": "b", "ȼ": "c", "ɇ": "e", "ɉ": "j", "ƶ": "z", "ǥ": "g", "ɫ": "l",
    "ς": "σ", "'": None, "’": None, "ʼ": None, "`": None, "´": None, "‘": None})
_BATCH = 1000


def _fold(text):
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = plain.casefold().translate(_LETTERS)
    return " ".join("".join(c if c.isalnum() else " " for c in plain
                            if not unicodedata.category(c).startswith("M")).split())


def _keys(name):
    """(search_key, sort_key) of a name, "Family, Given" or "Given Family"."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
    else:
        given, _, family = name.rpartition(" ")
    family, given = _fold(family), _fold(given)
    search = (f"{given} {family}|{family}, {given}|{family} {given}" if given else family)
    return search, (family.encode() + b"\0" + given.encode()).hex()


def _key_field():
    # A database default too, so an INSERT that names no keys still works (that student
    # sorts first and is found by email or number until saved through the app).
    return TextField(default="", constraints=[SQL("DEFAULT ''")])


def up(migrator, db):
    migrator.migrate(*(migrator.add_column("students", column, _key_field())
                       for column in ("search_key", "sort_key")))
    rows = db.execute_sql("SELECT id, name FROM students ORDER BY id").fetchall()
    param = db.param
    for start in range(0, len(rows), _BATCH):
        batch = [(*_keys(name), student_id) for student_id, name in rows[start:start + _BATCH]]
        db.cursor().executemany(
            f"UPDATE students SET search_key = {param}, sort_key = {param} WHERE id = {param}",
            batch)
    migrator.migrate(migrator.add_index("students", ("sort_key", "id")))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("students", "students_sort_key_id"),
        migrator.drop_column("students", "search_key"),
        migrator.drop_column("students", "sort_key"))
