"""Demo data for `flask seed-demo`: deterministic, so running it twice changes nothing."""
import random

from faker import Faker

from ..db import db
from ..models import Course, Student
from ..rules.enrollment import enroll_students

# (code, title, capacity) — None is unlimited; a few are small, ALG-210 is nearly full.
DEMO_COURSES = [
    ("ART-101", "Drawing Fundamentals", 18), ("ART-220", "Ceramics Studio", 8),
    ("BIO-101", "Introduction to Biology", 40), ("BIO-210", "Human Anatomy", 24),
    ("BIO-330", "Genetics", 20), ("CHEM-101", "General Chemistry", 36),
    ("CHEM-220", "Organic Chemistry", 22), ("CS-101", "Introduction to Programming", 40),
    ("CS-150", "Web Design", 25), ("CS-210", "Data Structures", 30),
    ("CS-320", "Databases", 25), ("DRA-110", "Theatre Workshop", 15),
    ("ECO-101", "Principles of Economics", None), ("ENG-101", "Composition I", 30),
    ("ENG-102", "Composition II", 30), ("ENG-240", "American Literature", 25),
    ("ENG-310", "Shakespeare", 18), ("ENV-120", "Environmental Science", 30),
    ("FRE-101", "French I", 20), ("FRE-201", "French II", 16),
    ("GEO-101", "World Geography", None), ("HIS-101", "World History", None),
    ("HIS-210", "United States History", 35), ("HIS-330", "The Modern Middle East", 20),
    ("ALG-210", "Linear Algebra", 12), ("MATH-101", "Algebra I", 30),
    ("MATH-150", "Geometry", 30), ("MATH-201", "Calculus I", 28),
    ("MATH-202", "Calculus II", 24), ("MATH-301", "Statistics", 30),
    ("MUS-101", "Music Theory", 20), ("MUS-150", "Concert Choir", None),
    ("PE-101", "Physical Education", None), ("PHI-101", "Introduction to Philosophy", 30),
    ("PHY-101", "Physics I", 32), ("PHY-201", "Physics II", 24),
    ("PSY-101", "Introduction to Psychology", 40), ("SOC-101", "Sociology", 35),
    ("SPA-101", "Spanish I", 24), ("SPA-201", "Spanish II", 6),
]
DEMO_STUDENT_COUNT = 300
SEED = 2026


def demo_students(count=DEMO_STUDENT_COUNT, seed=SEED):
    """Deterministic (name, email, student_number) triples with unique emails."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rows = []
    for n in range(1, count + 1):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}.{n}@students.example.edu".lower()
        rows.append({"name": f"{first} {last}", "email": email,
                     "student_number": f"S{seed}{n:05d}"})
    return rows


def _enrollment_plan(student_ids, courses, seed=SEED):
    """{course_id: [student_ids]} within each course's capacity; ALG-210 ends one seat short."""
    rng = random.Random(seed)
    plan = {}
    for course in courses:
        if course.code == "ALG-210":
            size = course.capacity - 1
        elif course.capacity is None:
            size = rng.randint(5, 20)
        else:
            size = rng.randint(0, max(course.capacity // 2, 1))
        plan[course.id] = rng.sample(student_ids, min(size, len(student_ids)))
    return plan


def seed_demo():
    """Insert demo students, courses and enrollments that are not there yet. Returns counts."""
    with db.atomic():
        new_students = (Student.insert_many(demo_students())
                        .on_conflict(action="NOTHING", conflict_target=[Student.email])
                        .as_rowcount().execute())
        new_courses = (Course.insert_many([{"code": c, "title": t, "capacity": cap}
                                           for c, t, cap in DEMO_COURSES])
                       .on_conflict(action="NOTHING")  # the (code, term) index
                       .as_rowcount().execute())
    emails = [row["email"] for row in demo_students()]
    student_ids = [s.id for s in Student.select(Student.id).where(Student.email.in_(emails))
                   .order_by(Student.id)]
    courses = list(Course.select().where(Course.code.in_([c for c, _, _ in DEMO_COURSES]))
                   .order_by(Course.code))
    plan = _enrollment_plan(student_ids, courses)
    new_enrollments = 0
    for course in courses:
        enrolled = {s.id for s in course.students.where(Student.id.in_(plan[course.id]))}
        wanted = [sid for sid in plan[course.id] if sid not in enrolled]
        if course.seats_left is not None:
            wanted = wanted[:course.seats_left]  # never overfill a course users changed
        if wanted:
            new_enrollments += len(enroll_students(course.id, wanted).enrolled)
    return {"students": new_students, "courses": new_courses, "enrollments": new_enrollments}
