"""/api/courses: courses (with term, meetings, prerequisites) and their rosters."""
from ..models import Course, Student, StudentCourse
from ..rules import records
from ..rules.prerequisites import groups_of
from ..rules.schedule import meetings_of
from . import schemas
from .core import BODY_ERRORS, CHANGE_ERRORS, COURSE, COURSES, created, operation


def courses_out(rows):
    """Course answers for `rows`, their meetings and prerequisites read in two queries."""
    ids = [row.id for row in rows]
    meetings, groups = meetings_of(ids), groups_of(ids)
    return [schemas.Course.of(row, meetings[row.id], groups[row.id]) for row in rows]


def course_out(row):
    return courses_out([row])[0]


@operation("GET", "/courses", COURSES, 200, schemas.CoursePage)
def list_courses(query: schemas.PageQuery):
    """List courses, by code; `q` searches code and title."""
    rows = Course.search(query.q)
    page = list(rows.paginate(query.page, query.per_page))
    return schemas.CoursePage(items=courses_out(page), page=query.page,
                              per_page=query.per_page, total=rows.count())


@operation("POST", "/courses", COURSES, 201, schemas.Course, 409, *BODY_ERRORS)
def create_course(json: schemas.CourseCreate):
    """Create a course (the code is stored upper-case); `capacity` null = unlimited.

    `term_id` must name a term (else 400); a code is unique within its term (409)."""
    row = records.create_course(json.model_dump())
    return created(course_out(row), ".get_course", course_id=row.id)


@operation("GET", COURSE, COURSES, 200, schemas.Course, 404)
def get_course(course_id):
    """One course with its enrolled count, seats left, meetings and prerequisites."""
    return course_out(records.get_course(course_id))


@operation("PATCH", COURSE, COURSES, 200, schemas.Course, *CHANGE_ERRORS)
def update_course(course_id, json: schemas.CourseUpdate):
    """Change any of code, title, capacity, term_id, meetings (replaces the list) and
    prerequisites; keys not sent stay. Capacity may not drop below the enrolled count."""
    return course_out(records.update_course(course_id, json.model_dump(exclude_unset=True)))


@operation("GET", COURSE + "/students", COURSES, 200, schemas.Roster, 404)
def course_students(course_id):
    """The course's roster by family name, each student with when they enrolled."""
    records.get_course(course_id)
    rows = (Student.search()
            .select_extend(StudentCourse.enrolled_at)
            .join(StudentCourse, on=(StudentCourse.student == Student.id))
            .where(StudentCourse.course == course_id)
            .objects())
    students = [schemas.RosterStudent(**schemas.Student.of(row).model_dump(),
                                      enrolled_at=row.enrolled_at) for row in rows]
    return schemas.Roster(course_id=course_id, students=students)
