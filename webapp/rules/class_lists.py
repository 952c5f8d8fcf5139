"""Class lists: courses with their students, as a registrar prints them (one course a
page, or a sign-in sheet). Three queries however many courses: the courses with their
terms, their meetings, every student of every course."""
from dataclasses import dataclass, field

from peewee import JOIN

from ..models import Course, Student, StudentCourse, Term
from .enrollment import CourseNotFound
from .schedule import meetings_of

# Class lists put students in this order: family name, then given name, like every list.
STUDENT_ORDER = Student.by_name()


@dataclass
class ClassList:
    """One course's list: the Course, its Term (or None), its Meetings and its students
    (Student rows with `name` and `student_number`)."""
    course: Course
    term: Term | None
    meetings: list
    students: list = field(default_factory=list)

    @property
    def rooms(self):
        """The rooms its meetings use, each once, in meeting order."""
        return list(dict.fromkeys(m.room for m in self.meetings if m.room))


def class_lists(course_ids):
    """A ClassList for each of `course_ids` (duplicates count once), by course code.
    Raises CourseNotFound for the first id that names no course."""
    course_ids = list(dict.fromkeys(course_ids))
    if not course_ids:
        return []
    courses = list(Course.select(Course, Term).join(Term, JOIN.LEFT_OUTER)
                   .where(Course.id.in_(course_ids)).order_by(Course.code, Course.id))
    missing = set(course_ids) - {course.id for course in courses}
    if missing:
        raise CourseNotFound(min(missing))
    meetings = meetings_of(course_ids)
    lists = {course.id: ClassList(course, course.term if course.term_id else None,
                                  meetings[course.id]) for course in courses}
    rows = (Student.select(Student.id, Student.name, Student.student_number,
                           StudentCourse.course.alias("course_id"))
            .join(StudentCourse)
            .where(StudentCourse.course.in_(course_ids))
            .order_by(*STUDENT_ORDER)
            .objects())
    for student in rows:
        lists[student.course_id].students.append(student)
    return list(lists.values())


def term_course_ids(term_id):
    """The ids of every course of the term (None: the courses with no term), by code."""
    where = Course.term.is_null() if term_id is None else Course.term == term_id
    return [cid for (cid,) in Course.select(Course.id).where(where)
            .order_by(Course.code).tuples()]
