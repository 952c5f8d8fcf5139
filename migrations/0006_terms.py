"""Terms, and a course's term: `terms`, `courses.term_id`, course codes unique per term.

A course with no term keeps term_id NULL (every course that exists before this migration).
A plain UNIQUE (code, term_id) would let two no-term courses share a code (NULLs differ),
so uniqueness is an index on (code, COALESCE(term_id, 0)): one per term, one among the
no-term courses; SQLite and Postgres both have expression indexes. term_id has no ON
DELETE action: a term cannot be deleted while courses belong to it.
"""
from peewee import (
    SQL,
    AutoField,
    CharField,
    DateField,
    ForeignKeyField,
    Model,
    SqliteDatabase,
)


def _frozen_term(db):
    class Term(Model):
        id = AutoField()
        code = CharField(max_length=32, unique=True)
        name = CharField(max_length=200)
        starts_on = DateField()
        ends_on = DateField()

        class Meta:
            database = db
            table_name = "terms"
            constraints = [SQL("CHECK (starts_on <= ends_on)")]

    return Term


CODE_PER_TERM = ("CREATE UNIQUE INDEX courses_code_term "
                 "ON courses (code, COALESCE(term_id, 0))")
# A term's checklist: its courses by code (also serves the FK check when a term goes).
TERM_CODE = "CREATE INDEX courses_term_code ON courses (term_id, code)"
OLD_CODE_UNIQUE = "CREATE UNIQUE INDEX course_code ON courses (code)"


class CodesInSeveralTerms(RuntimeError):
    """Downgrading would need course codes to be unique again, and they are not."""


def up(migrator, db):
    term = _frozen_term(db)
    db.create_tables([term])
    migrator.migrate(migrator.add_column(
        "courses", "term_id", ForeignKeyField(term, field=term.id, null=True, index=False)))
    db.execute_sql("DROP INDEX course_code")
    db.execute_sql(CODE_PER_TERM)
    db.execute_sql(TERM_CODE)


def down(migrator, db):
    shared = db.execute_sql("SELECT code FROM courses GROUP BY code HAVING COUNT(*) > 1 "
                            "ORDER BY code").fetchall()
    if shared:
        raise CodesInSeveralTerms(
            "cannot roll back terms: these course codes exist in more than one term, and "
            "without terms a code must be unique: " + ", ".join(code for (code,) in shared))
    db.execute_sql("DROP INDEX courses_term_code")
    db.execute_sql("DROP INDEX courses_code_term")
    if isinstance(db, SqliteDatabase):
        # SQLite cannot DROP a column that has a foreign key: peewee rebuilds the table
        # (the runner has foreign_keys off meanwhile; migrate.py checks them after).
        migrator.migrate(migrator.drop_column("courses", "term_id", legacy=True))
    else:
        migrator.migrate(migrator.drop_column("courses", "term_id"))
    db.execute_sql(OLD_CODE_UNIQUE)
    db.drop_tables([_frozen_term(db)])
