"""/api/courses/{id}/waitlist and /api/students/{id}/waitlists, as API.md says."""
import pytest

from webapp.models import StudentCourse, WaitlistEntry
from webapp.rules import waitlist
from webapp.rules.conflicts import ScheduleClash


def waitlist_url(course, student_id=None):
    return f"/api/courses/{course.id}/waitlist" + (f"/{student_id}" if student_id else "")


def test_the_waitlist_lists_entries_by_position(api, full_course):
    course, _, queue = full_course(waiting=3)
    body = api.get(waitlist_url(course)).get_json()
    assert body["course_id"] == course.id
    assert [(e["student_id"], e["position"]) for e in body["entries"]] == [
        (queue[0], 1), (queue[1], 2), (queue[2], 3)]
    assert all(set(e) == {"student_id", "position", "added_at"} for e in body["entries"])
    assert body["entries"][0]["added_at"].endswith("Z")


def test_a_blocked_entry_carries_its_conflicts(api, full_course, monkeypatch):
    course, _, queue = full_course(waiting=2)
    clash = {"type": "schedule_clash", "course_id": course.id, "with_course_id": 9,
             "day": "mon", "start": "09:00", "end": "10:00"}
    blocking = ScheduleClash(queue[1], course.id, course.code, 9, "PHY-9", "mon", 540, 600)
    monkeypatch.setattr(waitlist, "blocking_conflicts",
                        lambda course_id, ids: {queue[1]: [blocking]})
    entries = api.get(waitlist_url(course)).get_json()["entries"]
    assert "blocked_by" not in entries[0] and entries[1]["blocked_by"] == [clash]


def test_joining_answers_201_with_the_place_then_200_the_same(api, full_course,
                                                              make_student):
    course, _, _ = full_course(waiting=2)
    student = make_student()

    first = api.post(waitlist_url(course), json={"student_id": student.id})
    again = api.post(waitlist_url(course), json={"student_id": student.id})

    expected = {"course_id": course.id, "student_id": student.id, "position": 3}
    assert (first.status_code, first.get_json()) == (201, expected)
    assert (again.status_code, again.get_json()) == (200, expected)
    assert WaitlistEntry.select().where(WaitlistEntry.student == student.id).count() == 1


@pytest.mark.parametrize("case, status, details", [
    ("unknown course", 404, {}),
    ("unknown student", 404, {}),
    ("enrolled", 409, {"already_enrolled": True}),
    ("free seats", 409, {"seats_left": 1}),
    ("unlimited", 409, {"seats_left": None}),
])
def test_joining_is_refused_in_the_order_api_md_gives(api, make_student, make_course,
                                                      db_snapshot, case, status, details):
    student = make_student()
    course = make_course(capacity=None if case == "unlimited" else 1)
    if case == "enrolled":
        StudentCourse.create(student=student, course=course)  # enrolled beats free seats
    before = db_snapshot()
    course_id = 999 if case == "unknown course" else course.id
    student_id = 999 if case in ("unknown course", "unknown student") else student.id

    response = api.post(f"/api/courses/{course_id}/waitlist", json={"student_id": student_id})

    body = response.get_json()
    assert response.status_code == status and body["error"]
    assert {key: body[key] for key in details} == details
    assert db_snapshot() == before


@pytest.mark.parametrize("body", [{}, {"student_id": "3"}, {"student_id": 0},
                                  {"student_id": 1, "extra": 1}])
def test_a_malformed_join_is_a_400(api, full_course, body):
    course, _, _ = full_course()
    assert api.post(waitlist_url(course), json=body).status_code == 400


def test_moving_answers_the_whole_list(api, full_course):
    course, _, queue = full_course(waiting=3)
    response = api.patch(waitlist_url(course, queue[2]), json={"position": 1})
    assert response.status_code == 200
    body = response.get_json()
    assert [e["student_id"] for e in body["entries"]] == [queue[2], queue[0], queue[1]]
    assert [e["position"] for e in body["entries"]] == [1, 2, 3]
    past_end = api.patch(waitlist_url(course, queue[2]), json={"position": 50}).get_json()
    assert [e["student_id"] for e in past_end["entries"]] == queue


@pytest.mark.parametrize("body", [{"position": 0}, {"position": "1"}, {"position": 1.5},
                                  {}, {"position": None}])
def test_a_bad_position_is_a_400_and_moves_nobody(api, full_course, body):
    course, _, queue = full_course(waiting=2)
    assert api.patch(waitlist_url(course, queue[1]), json=body).status_code == 400
    assert [e.student_id for e in waitlist.waiting_students(course.id)] == queue


def test_moving_or_removing_someone_not_waiting_is_a_404(api, full_course):
    course, enrolled, _ = full_course()
    assert api.patch(waitlist_url(course, enrolled[0]), json={"position": 1}).status_code == 404
    assert api.delete(waitlist_url(course, enrolled[0])).status_code == 404
    assert api.delete(f"/api/courses/999/waitlist/{enrolled[0]}").status_code == 404
    assert api.get("/api/courses/999/waitlist").status_code == 404


def test_leaving_is_a_204_and_the_others_move_up(api, full_course):
    course, _, queue = full_course(waiting=3)
    response = api.delete(waitlist_url(course, queue[0]))
    assert response.status_code == 204 and response.data == b""
    entries = api.get(waitlist_url(course)).get_json()["entries"]
    assert [(e["student_id"], e["position"]) for e in entries] == [(queue[1], 1), (queue[2], 2)]


def test_a_students_waitlists_give_course_code_and_place(api, full_course, make_student):
    first, _, queue = full_course(code="B-1", waiting=2)
    second, _, _ = full_course(code="A-1", waiting=0)
    api.post(waitlist_url(second), json={"student_id": queue[1]})

    body = api.get(f"/api/students/{queue[1]}/waitlists").get_json()

    assert body["student_id"] == queue[1]
    assert [(e["course_id"], e["code"], e["position"]) for e in body["entries"]] == [
        (second.id, "A-1", 1), (first.id, "B-1", 2)]
    assert api.get(f"/api/students/{make_student().id}/waitlists").get_json()["entries"] == []
    assert api.get("/api/students/999/waitlists").status_code == 404


def test_an_api_unenrollment_promotes_and_history_shows_the_queue_actions(api, full_course):
    course, enrolled, queue = full_course(capacity=1, waiting=2)
    api.delete(waitlist_url(course, queue[1]), headers={"X-Request-ID": "leave-1"})

    response = api.delete(f"/api/students/{enrolled[0]}/courses/{course.id}",
                          headers={"X-Request-ID": "drop-1"})

    assert response.status_code == 204
    roster = api.get(f"/api/courses/{course.id}/students").get_json()["students"]
    assert [s["id"] for s in roster] == [queue[0]]
    assert api.get(waitlist_url(course)).get_json()["entries"] == []
    promoted = api.get(f"/api/students/{queue[0]}/history").get_json()["events"]
    assert [(e["action"], e["actor"], e["request_id"]) for e in promoted] == [
        ("promote", "Rita Registrar", "drop-1"), ("waitlist_add", "system", None)]
    left = api.get(f"/api/students/{queue[1]}/history").get_json()["events"]
    assert [(e["action"], e["request_id"]) for e in left] == [("waitlist_remove", "leave-1"),
                                                              ("waitlist_add", None)]


def test_staff_may_read_the_waitlist_but_not_change_it(client, staff_client, full_course):
    course, _, queue = full_course()
    assert staff_client.get(waitlist_url(course)).status_code == 200
    assert staff_client.delete(waitlist_url(course, queue[0])).status_code == 403
    assert staff_client.post(waitlist_url(course), json={"student_id": queue[0]}).status_code == 403
