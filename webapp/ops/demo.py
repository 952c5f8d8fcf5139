"""Demo data for `flask seed-demo`: deterministic, so running it twice changes nothing.

Two terms: Fall 2026 holds the forty demo courses with their weekly meeting times, Spring
2027 a few follow-on courses that need a Fall course first. Students are enrolled through
the enrollment rules (no clashes, prerequisites met, never over capacity), except one
override: the first student on the Students list has a full Fall week and one course
more that clashes, so a first visit shows a timetable with a marked clash and, in the
history, the reason.
"""
import random
from datetime import date

from faker import Faker

from ..db import db
from ..models import Course, EnrollmentEvent, Student, Term
from ..rules import audit
from ..rules.conflicts import Override
from ..rules.enrollment import EnrollmentConflicts, change_enrollments, enroll_students
from ..rules.names import name_keys
from ..rules.prerequisites import replace_prerequisites
from ..rules.schedule import parse_meeting, replace_meetings

DEMO_TERMS = [("2026-FALL", "Fall 2026", date(2026, 8, 31), date(2026, 12, 18)),
              ("2027-SPRING", "Spring 2027", date(2027, 1, 11), date(2027, 5, 28))]
FALL, SPRING = (code for code, *_ in DEMO_TERMS)

# (code, title, capacity, meeting) — None is unlimited; a few are small, ALG-210 is nearly
# full. Meetings: Monday-Wednesday-Friday periods of 50 minutes, Tuesday-Thursday blocks
# of 75 minutes, a few single long sessions; courses in the same slot clash.
DEMO_COURSES = [
    ("ART-101", "Drawing Fundamentals", 18, "tue thu 13:00-14:15 Studio A"),
    ("ART-220", "Ceramics Studio", 8, "fri 13:00-15:50 Studio B"),
    ("BIO-101", "Introduction to Biology", 40, "mon wed fri 09:00-09:50 Science 1"),
    ("BIO-210", "Human Anatomy", 24, "tue thu 09:30-10:45 Science 2"),
    ("BIO-330", "Genetics", 20, "mon wed 13:00-14:15 Science 1"),
    ("CHEM-101", "General Chemistry", 36, "mon wed fri 10:00-10:50 Lab 1"),
    ("CHEM-220", "Organic Chemistry", 22, "tue thu 11:00-12:15 Lab 1"),
    ("CS-101", "Introduction to Programming", 40, "mon wed fri 11:00-11:50 C10"),
    ("CS-150", "Web Design", 25, "tue thu 14:30-15:45 C10"),
    ("CS-210", "Data Structures", 30, "mon wed fri 14:00-14:50 C11"),
    ("CS-320", "Databases", 25, "tue thu 08:00-09:15 C11"),
    ("DRA-110", "Theatre Workshop", 15, "wed 15:00-16:50 Theatre"),
    ("ECO-101", "Principles of Economics", None, "mon wed fri 08:00-08:50 B2"),
    ("ENG-101", "Composition I", 30, "mon wed fri 09:00-09:50 B5"),
    ("ENG-102", "Composition II", 30, "tue thu 09:30-10:45 B5"),
    ("ENG-240", "American Literature", 25, "mon wed 13:00-14:15 B6"),
    ("ENG-310", "Shakespeare", 18, "tue thu 13:00-14:15 B6"),
    ("ENV-120", "Environmental Science", 30, "mon wed fri 10:00-10:50 Science 2"),
    ("FRE-101", "French I", 20, "mon wed fri 08:00-08:50 L1"),
    ("FRE-201", "French II", 16, "tue thu 11:00-12:15 L1"),
    ("GEO-101", "World Geography", None, "tue thu 14:30-15:45 B3"),
    ("HIS-101", "World History", None, "mon wed fri 11:00-11:50 B3"),
    ("HIS-210", "United States History", 35, "tue thu 08:00-09:15 B4"),
    ("HIS-330", "The Modern Middle East", 20, "mon 14:00-15:50 B4"),
    ("ALG-210", "Linear Algebra", 12, "tue thu 09:30-10:45 M2"),
    ("MATH-101", "Algebra I", 30, "mon wed fri 09:00-09:50 M1"),
    ("MATH-150", "Geometry", 30, "mon wed fri 10:00-10:50 M1"),
    ("MATH-201", "Calculus I", 28, "mon wed fri 13:00-13:50 M2"),
    ("MATH-202", "Calculus II", 24, "tue thu 11:00-12:15 M2"),
    ("MATH-301", "Statistics", 30, "mon wed fri 14:00-14:50 M3"),
    ("MUS-101", "Music Theory", 20, "tue thu 13:00-14:15 Music"),
    ("MUS-150", "Concert Choir", None, "thu 15:00-16:30 Music"),
    ("PE-101", "Physical Education", None, "fri 08:00-09:50 Gym"),
    ("PHI-101", "Introduction to Philosophy", 30, "tue thu 09:30-10:45 B1"),
    ("PHY-101", "Physics I", 32, "mon wed fri 11:00-11:50 Lab 2"),
    ("PHY-201", "Physics II", 24, "tue thu 14:30-15:45 Lab 2"),
    ("PSY-101", "Introduction to Psychology", 40, "mon wed 14:00-15:15 B7"),
    ("SOC-101", "Sociology", 35, "tue thu 09:30-10:45 B7"),
    ("SPA-101", "Spanish I", 24, "mon wed fri 13:00-13:50 L2"),
    ("SPA-201", "Spanish II", 6, "tue thu 13:00-14:15 L2"),
]
# Spring 2027: (code, title, capacity, meeting, prerequisite groups)
SPRING_COURSES = [
    ("MATH-202", "Calculus II", 24, "mon wed fri 09:00-09:50 M2", [["MATH-201"]]),
    ("PHY-201", "Physics II", 24, "tue thu 09:30-10:45 Lab 2", [["PHY-101"]]),
    ("ENG-102", "Composition II", 30, "mon wed fri 10:00-10:50 B5", [["ENG-101"]]),
    ("FRE-201", "French II", 16, "tue thu 11:00-12:15 L1", [["FRE-101"]]),
    ("SPA-201", "Spanish II", 12, "mon wed fri 11:00-11:50 L2", [["SPA-101"]]),
    ("CS-210", "Data Structures", 30, "tue thu 13:00-14:15 C11", [["CS-101", "CS-150"]]),
    ("BIO-210", "Human Anatomy", 24, "tue thu 08:00-09:15 Science 2", [["BIO-101"]]),
    ("HIS-210", "United States History", 35, "mon wed 13:00-14:15 B4", []),
    ("ART-220", "Ceramics Studio", 8, "fri 13:00-15:50 Studio B", []),
    ("PSY-101", "Introduction to Psychology", 40, "mon wed fri 14:00-14:50 B7", []),
]
DEMO_STUDENT_COUNT = 300
SEED = 2026
# The first student on the list: a full Fall week, then PHY-101 by override (it meets
# when CS-101 does).
SHOWCASE_WEEK = ["ECO-101", "MATH-101", "CHEM-101", "CS-101", "ENG-240", "HIS-210",
                 "CHEM-220", "ART-101", "GEO-101"]
SHOWCASE_OVERRIDE = "PHY-101"
OVERRIDE_REASON = ("Demo: takes the PHY-101 lectures and catches up on CS-101 from the "
                   "recordings; approved by the head of science.")


def demo_students(count=DEMO_STUDENT_COUNT, seed=SEED):
    """Deterministic (name, email, student_number) triples with unique emails."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rows = []
    for n in range(1, count + 1):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}.{n}@students.example.edu".lower()
        rows.append({"name": f"{first} {last}", "email": email,
                     "student_number": f"S{seed}{n:05d}", **name_keys(f"{first} {last}")})
    return rows


def _course_rows():
    """Every demo course as (term code, code, title, capacity, meeting, prerequisites)."""
    return ([(FALL, code, title, capacity, meeting, [])
             for code, title, capacity, meeting in DEMO_COURSES]
            + [(SPRING, *course) for course in SPRING_COURSES])


def _insert_missing():
    """Terms and courses not there yet (a course is its code within its term), with the
    meetings and prerequisites of the courses added now. Returns (terms added, courses
    added, {term code: id})."""
    new_terms = (Term.insert_many([{"code": c, "name": n, "starts_on": s, "ends_on": e}
                                   for c, n, s, e in DEMO_TERMS])
                 .on_conflict(action="NOTHING").as_rowcount().execute())
    term_ids = {t.code: t.id for t in Term.select().where(Term.code.in_([FALL, SPRING]))}
    added = 0
    for term, code, title, capacity, meeting, groups in _course_rows():
        created = (Course.insert(code=code, title=title, capacity=capacity,
                                 term=term_ids[term])
                   .on_conflict(action="NOTHING").as_rowcount().execute())
        if created:
            course = Course.get(Course.code == code, Course.term == term_ids[term])
            replace_meetings(course.id, [parse_meeting(meeting)])
            replace_prerequisites(course.id, groups)
            added += 1
    return new_terms, added, term_ids


def _enrollment_plan(student_ids, courses, showcase=None, seed=SEED):
    """{course_id: [student_ids]} that the rules accept: within each course's capacity
    (ALG-210 ends one seat short), nobody in two courses at once, Spring courses only for
    students who took a prerequisite in Fall; the `showcase` student has SHOWCASE_WEEK.
    `courses` by term then code."""
    rng = random.Random(seed)
    busy = {sid: [] for sid in student_ids}   # the meetings each student has so far
    taken = {sid: set() for sid in student_ids}
    plan = {course.id: [] for course in courses}
    for course in courses:
        if showcase is not None and course.term_code == FALL and course.code in SHOWCASE_WEEK:
            plan[course.id].append(showcase)
            busy[showcase] += course.plan_meetings
            taken[showcase].add(course.code)
    for course in courses:
        if course.code == "ALG-210":
            size = course.capacity - 1
        elif course.capacity is None:
            size = rng.randint(5, 20)
        else:
            size = rng.randint(0, max(course.capacity // 2, 1))
        needs = course.needs
        eligible = [sid for sid in rng.sample(student_ids, len(student_ids))
                    if all(taken[sid] & set(group) for group in needs)
                    and not any(m.clashes_with(b) for m in course.plan_meetings
                                for b in busy[sid])]
        chosen = eligible[:max(size - len(plan[course.id]), 0)]
        plan[course.id] += chosen
        for sid in chosen:
            busy[sid] += course.plan_meetings
            taken[sid].add(course.code)
    return plan


def _enroll(course, wanted):
    """Enroll `wanted` in `course`; a student the rules refuse (their data changed since the
    plan) is left out, the others go in. Returns how many were enrolled."""
    while wanted:
        try:
            return len(enroll_students(course.id, wanted).enrolled)
        except EnrollmentConflicts as error:
            refused = {conflict.student_id for conflict in error.conflicts}
            wanted = [sid for sid in wanted if sid not in refused]
    return 0


def _showcase_override(student_id, courses):
    """Enroll the showcase student in SHOWCASE_OVERRIDE despite its clash, by a "Demo
    registrar" override with OVERRIDE_REASON. Returns how many enrollments that made."""
    course = next((c for c in courses if c.term_code == FALL
                   and c.code == SHOWCASE_OVERRIDE), None)
    if course is None:
        return 0
    with audit.acting_as(audit.Actor(None, "Demo registrar")):
        result = change_enrollments(student_id, add=[course.id],
                                    override=Override(OVERRIDE_REASON, over_capacity=True))
    return len(result.enrolled)


def seed_demo():
    """Insert demo terms, students, courses (with meetings and prerequisites) and
    enrollments that are not there yet. Returns counts of what was added."""
    with db.atomic():
        new_students = (Student.insert_many(demo_students())
                        .on_conflict(action="NOTHING", conflict_target=[Student.email])
                        .as_rowcount().execute())
        new_terms, new_courses, term_ids = _insert_missing()
    emails = [row["email"] for row in demo_students()]
    student_ids = [s.id for s in Student.select(Student.id).where(Student.email.in_(emails))
                   .order_by(Student.id)]
    courses = _demo_courses(term_ids)
    showcase = (Student.select(Student.id).where(Student.id.in_(student_ids))
                .order_by(*Student.by_name()).first())
    plan = _enrollment_plan(student_ids, courses, showcase and showcase.id)
    new_enrollments = 0
    for course in courses:
        enrolled = {s.id for s in course.students.where(Student.id.in_(plan[course.id]))}
        wanted = [sid for sid in plan[course.id] if sid not in enrolled]
        if course.seats_left is not None:
            wanted = wanted[:course.seats_left]  # never overfill a course users changed
        new_enrollments += _enroll(course, wanted)
    overridden = EnrollmentEvent.select().where(
        EnrollmentEvent.override_reason == OVERRIDE_REASON).exists()
    if showcase is not None and not overridden:
        new_enrollments += _showcase_override(showcase.id, courses)
    return {"terms": new_terms, "students": new_students, "courses": new_courses,
            "enrollments": new_enrollments}


def _demo_courses(term_ids):
    """The demo's courses, by term then code, each with `.term_code`, `.plan_meetings`
    (the demo's meetings) and `.needs` (prerequisite groups)."""
    by_key = {(term, code): (meeting, groups)
              for term, code, _, _, meeting, groups in _course_rows()}
    term_codes = {term_id: code for code, term_id in term_ids.items()}
    courses = []
    for course in Course.select().where(Course.term.in_(list(term_ids.values()))):
        key = (term_codes[course.term_id], course.code)
        if key in by_key:
            meeting, groups = by_key[key]
            course.term_code, course.plan_meetings = key[0], [parse_meeting(meeting)]
            course.needs = groups
            courses.append(course)
    order = [code for code, *_ in DEMO_TERMS]  # Fall first: Spring's prerequisites
    return sorted(courses, key=lambda c: (order.index(c.term_code), c.code))
