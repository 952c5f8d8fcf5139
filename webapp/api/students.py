"""/api/students: create, find, change, delete."""
from ..models import Student
from ..rules import records
from . import schemas
from .core import (BODY_ERRORS, CHANGE_ERRORS, STUDENT, STUDENTS, created, enrollments_of,
                   operation, page_of, student_of)


@operation("GET", "/students", STUDENTS, 200, schemas.StudentPage)
def list_students(query: schemas.PageQuery):
    """List students by family name, then given name; `q` searches the name ("Given
    Family" or "Family, Given", accents and case aside), email and student number."""
    return page_of(Student.search(query.q), query, schemas.Student.of, schemas.StudentPage)


@operation("POST", "/students", STUDENTS, 201, schemas.Student, 409, *BODY_ERRORS)
def create_student(json: schemas.StudentCreate):
    """Create a student; answers with the student and a `Location` header."""
    row = records.create_student(json.model_dump())
    return created(schemas.Student.of(row, course_count=0), ".get_student", student_id=row.id)


@operation("GET", STUDENT, STUDENTS, 200, schemas.StudentDetail, 404)
def get_student(student_id):
    """One student with the courses they are in, by code."""
    courses = enrollments_of(student_id)
    return schemas.StudentDetail(**student_of(student_id).model_dump(), courses=courses)


@operation("PATCH", STUDENT, STUDENTS, 200, schemas.Student, *CHANGE_ERRORS)
def update_student(student_id, json: schemas.StudentUpdate):
    """Change any of name, email, student_number; keys not sent stay as they are."""
    records.update_student(student_id, json.model_dump(exclude_unset=True))
    return student_of(student_id)


@operation("DELETE", STUDENT, STUDENTS, 204, None, 404)
def delete_student(student_id):
    """Delete a student; their enrollments go with them."""
    records.delete_student(student_id)
    return "", 204
