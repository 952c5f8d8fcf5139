"""Large, realistic, reproducible data sets for load tests (`flask gen-data`).

Shaped like a school: optional terms (`terms`, back to back, courses spread over them)
and weekly meeting times for every course, in the periods a timetable has. Enrollments
are drawn at random, as before: generated data may hold clashes that the enrollment rules
would refuse (it is written directly, for speed), which is what a load test needs.

Everything comes from one `random.Random(seed)`: the same seed on the same starting
database gives the same rows. Names are drawn from small pools that Faker fills once,
so a million rows cost no Faker call each. All rows go in inside one transaction (a
failure leaves the database as it was): peewee's `insert_many` builds the statement and
the driver's `executemany` runs it over chunks of rows, because building SQL text for a
million rows in peewee costs four times what SQLite needs to store them.
"""
import math
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker
from peewee import SQL, chunked, fn

from ..db import db, is_sqlite, large_page_cache, write_transaction
from ..models import Course, CourseMeeting, Student, StudentCourse, Term
from ..rules.names import name_keys
from ..rules.schedule import day_bits

DEPARTMENTS = {
    "ART": "Art", "BIO": "Biology", "CHEM": "Chemistry", "CS": "Computer Science",
    "DRA": "Drama", "ECO": "Economics", "ENG": "English", "ENV": "Environmental Science",
    "FRE": "French", "GEO": "Geography", "GER": "German", "HIS": "History",
    "LAT": "Latin", "MATH": "Mathematics", "MUS": "Music", "PE": "Physical Education",
    "PHI": "Philosophy", "PHY": "Physics", "PSY": "Psychology", "SOC": "Sociology",
    "SPA": "Spanish", "STAT": "Statistics", "GOV": "Government", "JOU": "Journalism",
}
TITLE_PATTERNS = ["{} I", "{} II", "Introduction to {}", "Topics in {}", "Advanced {}",
                  "{} Workshop", "{} Seminar", "Applied {}", "{} Lab", "Honors {}"]
NAME_POOL_SIZE = 2000
ENROLLED_SINCE = datetime(2026, 8, 15)
NAME_KEYS = ("search_key", "sort_key")  # rules/names.name_keys, in the rows' column order
ENROLLMENT_WINDOW_SECONDS = 60 * 24 * 3600
ROWS_PER_CHUNK = 50_000
LOAD_CACHE_KIB = 512 * 1024
POSTGRES_COUNT_TRIGGER = "student_courses_count_insert"  # migration 0014 (statement-level)
UNLIMITED_SHARE = 0.1
TERM_DAYS, DAYS_BETWEEN_TERMS = 16 * 7, 21
# Weekly patterns: Monday-Wednesday-Friday periods of 50 minutes, Tuesday-Thursday blocks
# of 75 minutes, a long single session now and then. (days, start, minutes)
MEETING_PATTERNS = (
    [(("mon", "wed", "fri"), hour * 60, 50) for hour in (8, 9, 10, 11, 13, 14, 15)]
    + [(("tue", "thu"), start, 75) for start in (480, 570, 660, 780, 870)]
    + [((day,), 13 * 60, 110) for day in ("tue", "thu", "fri")])
ROOMS_PER_DEPARTMENT = 6


class GenerationError(ValueError):
    """The requested sizes cannot be generated (e.g. more enrollments than pairs)."""


@dataclass
class GenerationReport:
    students: int
    courses: int
    enrollments: int
    seconds: float
    terms: int = 0
    meetings: int = 0

    @property
    def rows(self):
        return self.students + self.courses + self.enrollments + self.terms + self.meetings

    @property
    def rows_per_second(self):
        return self.rows / self.seconds if self.seconds else float("inf")


def name_pools(seed, size=NAME_POOL_SIZE):
    """(first names, last names) lists drawn once from Faker with the given seed."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return ([fake.first_name() for _ in range(size)],
            [fake.last_name() for _ in range(size)])


def student_rows(count, seed, rng):
    """Tuples (name, email, student_number, created_at, search_key, sort_key); emails and
    numbers carry the seed so data sets made with different seeds can share a database."""
    firsts, lasts = name_pools(seed)
    created = ENROLLED_SINCE - timedelta(days=30)
    rows = []
    for n in range(1, count + 1):
        first, last = rng.choice(firsts), rng.choice(lasts)
        name = f"{first} {last}"
        rows.append((name,
                     f"{first}.{last}.{n}@g{seed}.students.example.edu".lower().replace(" ", ""),
                     f"G{seed}-{n:07d}", created, *map(name_keys(name).get, NAME_KEYS)))
    return rows


def course_codes(count, taken, rng):
    """`count` unused codes like MATH-214, in a seed-determined order."""
    candidates = [f"{dept}-{number}" for dept in DEPARTMENTS for number in range(100, 500)]
    rng.shuffle(candidates)
    codes = [c for c in candidates if c not in taken][:count]
    if len(codes) < count:
        raise GenerationError(f"only {len(codes)} unused course codes are left; "
                              f"asked for {count} courses")
    return codes


def enrollment_sizes(courses, enrollments, students, rng):
    """How many students each course gets: popularity-weighted, summing to exactly
    `enrollments`, none above the number of students."""
    if enrollments > courses * students:
        raise GenerationError(f"{enrollments} enrollments need more than {courses} courses "
                              f"x {students} students")
    if courses == 0:
        return []
    weights = [rng.lognormvariate(0, 0.5) for _ in range(courses)]
    total = sum(weights)
    sizes = [min(students, math.floor(enrollments * w / total)) for w in weights]
    short = enrollments - sum(sizes)
    order = sorted(range(courses), key=lambda i: -weights[i])
    while short:  # hand out the remainder to the most popular courses that have room
        for i in order:
            if short and sizes[i] < students:
                sizes[i] += 1
                short -= 1
    return sizes


def course_rows(codes, sizes, rng, term_ids=()):
    """Tuples (code, title, capacity, enrolled_count, created_at, term_id). About one
    course in ten is unlimited; the rest hold their students with 0-30 % room to spare,
    some exactly full. Courses take the terms in turn (no term when there are none)."""
    rows = []
    for index, (code, size) in enumerate(zip(codes, sizes)):
        dept = code.split("-")[0]
        title = rng.choice(TITLE_PATTERNS).format(DEPARTMENTS[dept])
        if rng.random() < UNLIMITED_SHARE:
            capacity = None
        else:
            capacity = max(1, size + int(size * rng.choice([0, 0.05, 0.1, 0.2, 0.3])))
        # enrolled_count starts at 0: the triggers count the enrollments in.
        term_id = term_ids[index % len(term_ids)] if term_ids else None
        rows.append((code, title, capacity, 0, ENROLLED_SINCE - timedelta(days=7), term_id))
    return rows


def term_rows(count, seed):
    """(code, name, starts_on, ends_on) for `count` terms back to back from the first
    enrollment date; codes carry the seed like emails do."""
    rows = []
    for n in range(count):
        starts = (ENROLLED_SINCE + timedelta(days=n * (TERM_DAYS + DAYS_BETWEEN_TERMS))).date()
        rows.append((f"G{seed}-T{n + 1:02d}", f"Generated term {n + 1} (seed {seed})", starts,
                     starts + timedelta(days=TERM_DAYS - 1)))
    return rows


def meeting_rows(course_ids, codes, rng):
    """(course_id, weekdays, start_minute, end_minute, room): one weekly pattern for most
    courses, two for one in five (a lecture and a lab)."""
    rows = []
    for course_id, code in zip(course_ids, codes):
        department = code.split("-")[0]
        patterns = [rng.choice(MEETING_PATTERNS)]
        if rng.random() < 0.2:  # a lab on days the lecture leaves free
            patterns.append(rng.choice([p for p in MEETING_PATTERNS
                                        if not set(p[0]) & set(patterns[0][0])]))
        for days, start, minutes in patterns:
            rows.append((course_id, day_bits(days), start, start + minutes,
                         f"{department} {rng.randrange(1, ROOMS_PER_DEPARTMENT + 1)}"))
    return rows


def _insert(model, fields, rows):
    """executemany the one-row INSERT that peewee writes for `fields` over `rows`
    (values already in database form: ints, strings, datetimes)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    sql, params = model.insert_many([first], fields=fields).returning().sql()
    if len(params) != len(first):  # peewee added a default we did not list in `fields`
        raise RuntimeError(f"list every column with a default in fields: {sql}")
    cursor = model._meta.database.cursor()
    cursor.execute(sql, first)
    for batch in chunked(rows, ROWS_PER_CHUNK):
        cursor.executemany(sql, batch)


def _new_ids(model, before_max, count):
    """Ids of the rows just inserted: the first `count` above the old maximum (ids are
    assigned in insert order inside the one transaction)."""
    return [row[0] for row in model.select(model.id).where(model.id > before_max)
            .order_by(model.id).limit(count).tuples()]


def _max_id(model):
    return model.select(fn.COALESCE(fn.MAX(model.id), 0)).scalar()


def _enrollment_rows(student_ids, course_ids, sizes, rng):
    """(student_id, course_id, enrolled_at) in primary-key order: sorted inserts append
    to the key's b-tree instead of touching random pages (several times faster)."""
    stamps = [ENROLLED_SINCE + timedelta(seconds=rng.randrange(ENROLLMENT_WINDOW_SECONDS))
              for _ in range(4096)]
    pairs = [(student_ids[index], course_id)
             for course_id, size in zip(course_ids, sizes)
             for index in rng.sample(range(len(student_ids)), size)]
    pairs.sort()
    return [(student, course, stamps[rng.randrange(len(stamps))]) for student, course in pairs]


@contextmanager
def _counts_set_in_bulk(course_ids):
    """On Postgres, the count trigger updating the same few course rows a million times
    in one transaction crawls (each update adds a row version; it fires per statement,
    but the driver's executemany runs one statement per row). Switch it
    off for this transaction and count each new course once at the end. ALTER TABLE
    holds a lock on student_courses until commit, so no other writer can slip a row in
    uncounted. SQLite's triggers are cheap; they stay on."""
    if is_sqlite():
        yield
        return
    db.execute_sql(f"ALTER TABLE student_courses DISABLE TRIGGER {POSTGRES_COUNT_TRIGGER}")
    yield
    (Course.update(enrolled_count=StudentCourse.select(fn.COUNT(SQL("*")))
                   .where(StudentCourse.course == Course.id))
     .where(Course.id.in_(course_ids)).execute())
    db.execute_sql(f"ALTER TABLE student_courses ENABLE TRIGGER {POSTGRES_COUNT_TRIGGER}")


def _check_enrolled_counts(course_ids, sizes):
    """The triggers kept enrolled_count; each new course must hold exactly its rows."""
    expected = dict(zip(course_ids, sizes))
    counts = dict(Course.select(Course.id, Course.enrolled_count)
                  .where(Course.id.in_(course_ids)).tuples())
    wrong = {cid: n for cid, n in counts.items() if n != expected[cid]}
    if wrong:
        raise RuntimeError(f"enrolled_count out of step after generation: {list(wrong)[:5]}")


def _insert_terms(count, seed):
    """The generated terms' ids (a code already taken: GenerationError)."""
    rows = term_rows(count, seed)
    codes = [code for code, *_ in rows]
    if Term.select().where(Term.code.in_(codes)).exists():
        raise GenerationError(f"terms {codes[0]}… exist already: use another --seed")
    Term.insert_many([dict(zip(("code", "name", "starts_on", "ends_on"), row))
                      for row in rows]).execute()
    return [t.id for t in Term.select(Term.id).where(Term.code.in_(codes)).order_by(Term.id)]


def generate(students, courses, enrollments, seed=1, terms=0):
    """Insert the data set in one transaction and return a GenerationReport."""
    rng = random.Random(seed)
    sizes = enrollment_sizes(courses, enrollments, students, rng)
    started = time.perf_counter()
    with large_page_cache(LOAD_CACHE_KIB), write_transaction():
        term_ids = _insert_terms(terms, seed) if terms else []
        taken = {code for (code,) in Course.select(Course.code).tuples()}
        codes = course_codes(courses, taken, rng)
        student_max, course_max = _max_id(Student), _max_id(Course)
        _insert(Student, [Student.name, Student.email, Student.student_number,
                          Student.created_at, *(getattr(Student, key) for key in NAME_KEYS)],
                student_rows(students, seed, rng))
        _insert(Course, [Course.code, Course.title, Course.capacity, Course.enrolled_count,
                         Course.created_at, Course.term],
                course_rows(codes, sizes, rng, term_ids))
        student_ids = _new_ids(Student, student_max, students)
        course_ids = _new_ids(Course, course_max, courses)
        meetings = meeting_rows(course_ids, codes, rng)
        _insert(CourseMeeting, [CourseMeeting.course, CourseMeeting.weekdays,
                                CourseMeeting.start_minute, CourseMeeting.end_minute,
                                CourseMeeting.room], meetings)
        with _counts_set_in_bulk(course_ids):
            _insert(StudentCourse, [StudentCourse.student, StudentCourse.course,
                                    StudentCourse.enrolled_at],
                    _enrollment_rows(student_ids, course_ids, sizes, rng))
        _check_enrolled_counts(course_ids, sizes)
    return GenerationReport(students, courses, enrollments, time.perf_counter() - started,
                            terms, len(meetings))
