"""/api/courses: courses and their rosters."""
from ..models import Course, Student, StudentCourse
from ..rules import records
from . import schemas
from .core import BODY_ERRORS, COURSE, COURSES, created, operation, page_of


@operation("GET", "/courses", COURSES, 200, schemas.CoursePage)
def list_courses(query: schemas.PageQuery):
    """List courses, by code; `q` searches code and title."""
    return page_of(Course.search(query.q), query, schemas.Course.of, schemas.CoursePage)


@operation("POST", "/courses", COURSES, 201, schemas.Course, 409, *BODY_ERRORS)
def create_course(json: schemas.CourseCreate):
    """Create a course (the code is stored upper-case); `capacity` null = unlimited."""
    row = records.create_course(json.model_dump())
    return created(schemas.Course.of(row), ".get_course", course_id=row.id)


@operation("GET", COURSE, COURSES, 200, schemas.Course, 404)
def get_course(course_id):
    """One course with its enrolled count and seats left."""
    return schemas.Course.of(records.get_course(course_id))


@operation("GET", COURSE + "/students", COURSES, 200, schemas.Roster, 404)
def course_students(course_id):
    """The course's roster, by name, each student with when they enrolled."""
    records.get_course(course_id)
    rows = (Student.search()
            .select_extend(StudentCourse.enrolled_at)
            .join(StudentCourse, on=(StudentCourse.student == Student.id))
            .where(StudentCourse.course == course_id)
            .objects())
    students = [schemas.RosterStudent(**schemas.Student.of(row).model_dump(),
                                      enrolled_at=row.enrolled_at) for row in rows]
    return schemas.Roster(course_id=course_id, students=students)
