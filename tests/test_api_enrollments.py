"""/api/students/{id}/courses: enroll many, list, unenroll one, add and remove at once."""
import pytest
from playhouse.test_utils import count_queries

from webapp.models import Course, StudentCourse
from webapp.rules import enrollment


def enrolled_pairs():
    return sorted((r.student_id, r.course_id) for r in StudentCourse.select())


def test_enrolling_in_many_courses_reports_them_and_lists_all_courses_by_code(
        api, make_student, make_course):
    student = make_student()
    math, art = make_course(code="MATH-1"), make_course(code="ART-1")

    response = api.post(f"/api/students/{student.id}/courses",
                        json={"course_ids": [math.id, art.id]})

    assert response.status_code == 200
    body = response.get_json()
    assert body["student_id"] == student.id
    assert body["enrolled"] == [math.id, art.id] and body["already_enrolled"] == []
    assert [c["code"] for c in body["courses"]] == ["ART-1", "MATH-1"]
    assert enrolled_pairs() == sorted([(student.id, math.id), (student.id, art.id)])


def test_enrolling_again_adds_nothing_and_keeps_enrolled_at(api, make_student, make_course):
    student, course = make_student(), make_course()
    path = f"/api/students/{student.id}/courses"
    first = api.post(path, json={"course_ids": [course.id]}).get_json()

    again = api.post(path, json={"course_ids": [course.id]}).get_json()

    assert again["enrolled"] == [] and again["already_enrolled"] == [course.id]
    assert again["courses"] == first["courses"]
    assert StudentCourse.select().count() == 1


def test_duplicate_ids_in_one_request_count_once(api, make_student, make_course):
    student, course = make_student(), make_course(capacity=1)
    body = api.post(f"/api/students/{student.id}/courses",
                    json={"course_ids": [course.id, course.id]}).get_json()
    assert body["enrolled"] == [course.id]
    assert Course.get_by_id(course.id).enrolled_count == 1


def test_unknown_course_ids_are_400_naming_all_of_them_and_nothing_is_written(
        api, make_student, make_course, db_snapshot):
    student, course = make_student(), make_course()
    before = db_snapshot()

    response = api.post(f"/api/students/{student.id}/courses",
                        json={"course_ids": [course.id, 9001, 9000]})

    assert response.status_code == 400
    assert response.get_json()["unknown_course_ids"] == [9000, 9001]
    assert "9000" in response.get_json()["error"]
    assert db_snapshot() == before


def test_enrolling_an_unknown_student_is_404_and_writes_nothing(api, make_course, db_snapshot):
    course = make_course()
    before = db_snapshot()
    response = api.post("/api/students/999/courses", json={"course_ids": [course.id]})
    assert response.status_code == 404 and "999" in response.get_json()["error"]
    assert db_snapshot() == before


def test_a_full_course_is_409_naming_it_and_no_course_is_enrolled(
        api, make_student, make_course, db_snapshot):
    full, free = make_course(capacity=1), make_course()
    enrollment.enroll(make_student().id, [full.id])
    student = make_student()
    before = db_snapshot()

    response = api.post(f"/api/students/{student.id}/courses",
                        json={"course_ids": [free.id, full.id]})

    assert response.status_code == 409
    assert response.get_json()["full_course_ids"] == [full.id]
    assert full.code in response.get_json()["error"]
    assert db_snapshot() == before


def test_enrolling_many_courses_costs_the_same_queries_as_one(api, make_student, make_course):
    one, many = make_student(), make_student()
    courses = [make_course().id for _ in range(60)]

    with count_queries() as single:
        api.post(f"/api/students/{one.id}/courses", json={"course_ids": courses[:1]})
    with count_queries() as sixty:
        api.post(f"/api/students/{many.id}/courses", json={"course_ids": courses})

    assert single.count > 0 and sixty.count == single.count


def test_listing_a_students_courses_orders_them_by_code(api, make_student, make_course):
    student = make_student()
    b, a = make_course(code="B-1"), make_course(code="A-1")
    enrollment.enroll(student.id, [b.id, a.id])

    body = api.get(f"/api/students/{student.id}/courses").get_json()

    assert body["student_id"] == student.id
    assert [c["id"] for c in body["courses"]] == [a.id, b.id]
    assert set(body["courses"][0]) == {"id", "code", "title", "enrolled_at"}


def test_listing_courses_of_an_unknown_student_is_404(api):
    assert api.get("/api/students/999/courses").status_code == 404


def test_deleting_an_enrollment_frees_the_seat(api, make_student, make_course):
    student, course = make_student(), make_course(capacity=1)
    enrollment.enroll(student.id, [course.id])

    response = api.delete(f"/api/students/{student.id}/courses/{course.id}")

    assert response.status_code == 204 and response.data == b""
    assert enrolled_pairs() == []
    assert Course.get_by_id(course.id).seats_left == 1


@pytest.mark.parametrize("who", ["not enrolled", "unknown student", "unknown course"])
def test_deleting_an_enrollment_that_does_not_exist_is_404(api, make_student, make_course,
                                                           db_snapshot, who):
    student, course = make_student(), make_course()
    other = make_course()
    enrollment.enroll(student.id, [other.id])
    student_id = 999 if who == "unknown student" else student.id
    course_id = 999 if who == "unknown course" else course.id
    before = db_snapshot()

    response = api.delete(f"/api/students/{student_id}/courses/{course_id}")

    assert response.status_code == 404 and response.get_json()["error"]
    assert db_snapshot() == before


def test_patch_adds_and_removes_in_one_change(api, make_student, make_course):
    student = make_student()
    keep, drop, new = make_course(code="K-1"), make_course(code="D-1"), make_course(code="N-1")
    enrollment.enroll(student.id, [keep.id, drop.id])

    response = api.patch(f"/api/students/{student.id}/courses",
                         json={"add": [new.id, keep.id], "remove": [drop.id]})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["enrolled"], body["already_enrolled"], body["removed"]) == (
        [new.id], [keep.id], [drop.id])
    assert [c["code"] for c in body["courses"]] == ["K-1", "N-1"]
    assert enrolled_pairs() == sorted([(student.id, keep.id), (student.id, new.id)])


def test_patch_removing_a_course_the_student_is_not_in_changes_nothing(api, make_student,
                                                                       make_course):
    student, course = make_student(), make_course()
    body = api.patch(f"/api/students/{student.id}/courses",
                     json={"remove": [course.id]}).get_json()
    assert body["removed"] == [] and body["courses"] == []


@pytest.mark.parametrize("change, status, detail", [
    ({"add": [9000]}, 400, "unknown_course_ids"),
    ({"remove": [9000]}, 400, "unknown_course_ids"),
    ({"add": ["FULL"]}, 409, "full_course_ids"),
    ({"add": ["FREE"], "remove": ["FREE"]}, 400, "conflicting_course_ids"),
])
def test_a_refused_patch_writes_nothing(api, make_student, make_course, db_snapshot,
                                        change, status, detail):
    full, free, mine = make_course(capacity=1), make_course(), make_course()
    enrollment.enroll(make_student().id, [full.id])
    student = make_student()
    enrollment.enroll(student.id, [mine.id])
    ids = {"FULL": full.id, "FREE": free.id}
    change = {key: [ids.get(i, i) for i in value] for key, value in change.items()}
    change.setdefault("remove", [mine.id])  # would be removed if the change went through
    before = db_snapshot()

    response = api.patch(f"/api/students/{student.id}/courses", json=change)

    assert response.status_code == status
    assert response.get_json()[detail]
    assert db_snapshot() == before


def test_patch_for_an_unknown_student_is_404(api, make_course):
    response = api.patch("/api/students/999/courses", json={"add": [make_course().id]})
    assert response.status_code == 404


# Conflicts and the override (API.md, round 2) -----------------------------------------

@pytest.fixture
def clash(make_student, make_course, make_term):
    """Ada is in PHY-201 (Mon 9-10); MATH-201 meets then too and needs MATH-101."""
    spring = make_term("SPRING", "2027-01-11", "2027-05-28")
    ada = make_student(name="Ada")
    physics = make_course(code="PHY-201", term=spring, meetings=["mon 09:00-10:00"])
    StudentCourse.create(student=ada, course=physics)
    maths = make_course(code="MATH-201", term=spring, capacity=1,
                        meetings=["mon 09:30-11:00"], prerequisites=[["MATH-101"]])
    return ada, physics, maths


def test_a_clash_and_a_missing_prerequisite_are_409_listing_each(api, clash, db_snapshot):
    ada, physics, maths = clash
    before = db_snapshot()

    response = api.post(f"/api/students/{ada.id}/courses", json={"course_ids": [maths.id]})

    assert response.status_code == 409
    body = response.get_json()
    assert body["conflicts"] == [
        {"type": "schedule_clash", "course_id": maths.id, "with_course_id": physics.id,
         "day": "mon", "start": "09:30", "end": "10:00"},
        {"type": "missing_prerequisite", "course_id": maths.id, "requires": ["MATH-101"]}]
    assert "full_course_ids" not in body
    assert "Clashes with PHY-201, Mon 09:30–10:00" in body["error"]
    assert db_snapshot() == before


def test_a_conflicting_course_that_is_also_full_is_named_too(api, clash, make_student):
    ada, _, maths = clash
    StudentCourse.create(student=make_student(), course=maths)
    body = api.patch(f"/api/students/{ada.id}/courses", json={"add": [maths.id]}).get_json()
    assert body["full_course_ids"] == [maths.id] and len(body["conflicts"]) == 2


def test_an_override_enrolls_and_its_reason_is_in_the_history(api, clash):
    ada, _, maths = clash
    reason = "Placement test passed; lab moved."
    response = api.post(f"/api/students/{ada.id}/courses",
                        json={"course_ids": [maths.id], "override": {"reason": reason}})
    assert response.status_code == 200 and response.get_json()["enrolled"] == [maths.id]
    (event,) = api.get(f"/api/students/{ada.id}/history").get_json()["events"]
    assert (event["course_code"], event["override_reason"]) == ("MATH-201", reason)


def test_patch_with_an_override_and_over_capacity(api, clash, make_student):
    ada, physics, maths = clash
    StudentCourse.create(student=make_student(), course=maths)
    path = f"/api/students/{ada.id}/courses"
    change = {"add": [maths.id], "remove": [physics.id]}

    without = api.patch(path, json={**change, "override": {"reason": "ok"}})
    assert without.status_code == 409
    assert without.get_json()["full_course_ids"] == [maths.id]
    assert "conflicts" not in without.get_json()  # PHY-201 goes: no clash left to report

    response = api.patch(path, json={**change,
                                     "override": {"reason": "ok", "over_capacity": True}})
    assert response.status_code == 200
    assert (response.get_json()["enrolled"], response.get_json()["removed"]) == (
        [maths.id], [physics.id])


def test_without_conflicts_the_history_has_no_override_reason(api, make_student, make_course):
    student, course = make_student(), make_course()
    api.post(f"/api/students/{student.id}/courses", json={"course_ids": [course.id]})
    (event,) = api.get(f"/api/students/{student.id}/history").get_json()["events"]
    assert event["override_reason"] is None


@pytest.mark.parametrize("override", [{"reason": ""}, {"reason": "   "}, {"reason": "x" * 501},
                                      {}, {"reason": "ok", "over_capacity": "yes"},
                                      {"reason": "ok", "extra": 1}, None])
def test_a_bad_override_is_400_and_writes_nothing(api, clash, db_snapshot, override):
    ada, _, maths = clash
    before = db_snapshot()
    response = api.post(f"/api/students/{ada.id}/courses",
                        json={"course_ids": [maths.id], "override": override})
    assert response.status_code == 400
    assert any(key.startswith("override") for key in response.get_json()["fields"])
    assert db_snapshot() == before


def test_staff_cannot_override(anon_client, staff_api_headers, clash):
    ada, _, maths = clash
    response = anon_client.post(f"/api/students/{ada.id}/courses",
                                json={"course_ids": [maths.id], "override": {"reason": "x"}},
                                headers=staff_api_headers)
    assert response.status_code == 403
