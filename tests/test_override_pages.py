"""A conflicting tick comes back unticked with the reason; a registrar can enroll anyway
with a reason (htmx row, or without JS through a confirmation page); History shows it."""
import re

import pytest

from webapp.models import Course, EnrollmentEvent, StudentCourse

HTMX = {"HX-Request": "true"}


@pytest.fixture
def clash(make_student, make_course, make_term):
    """Ada is in PHY-201 (Mon 9-10); MATH-201 meets Mon 9:00-10:00 too and needs MATH-101."""
    spring = make_term("SPRING", "2027-01-11", "2027-05-28")
    ada = make_student(name="Ada Lovelace")
    physics = make_course(code="PHY-201", term=spring, meetings=["mon 09:00-10:00"])
    StudentCourse.create(student=ada, course=physics)
    maths = make_course(code="MATH-201", title="Calculus", term=spring, capacity=5,
                        meetings=["mon 09:00-10:00"], prerequisites=[["MATH-101"]])
    return ada, physics, maths


def enrolled(student, course):
    return StudentCourse.select().where(StudentCourse.student == student.id,
                                        StudentCourse.course == course.id).exists()


def tick(client, student, course):
    return client.post(f"/students/{student.id}/courses/{course.id}",
                       data={"course_ids": [str(course.id)]}, headers=HTMX)


def override(client, student, course, reason, headers=HTMX, **extra):
    return client.post(f"/students/{student.id}/courses/{course.id}/override",
                       data={f"reason-{course.id}": reason, **extra}, headers=headers)


def checkbox(html, course):
    return re.search(r'<input type="checkbox" id="course-%d"[^>]*>' % course.id, html).group(0)


def test_ticking_a_clash_brings_the_row_back_unticked_with_the_reasons(client, clash,
                                                                      db_snapshot):
    ada, _, maths = clash
    before = db_snapshot()
    response = tick(client, ada, maths)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" not in html
    assert "checked" not in checkbox(html, maths)
    assert (f'id="error-{maths.id}">Clashes with PHY-201, Mon 09:00–10:00; '
            f'Needs MATH-101 first</span>') in html
    assert "Not enrolled in MATH-201: Clashes with PHY-201" in html     # the live region
    assert '<label for="reason-%d">Reason to enroll anyway</label>' % maths.id in html
    assert re.search(r'<button type="submit" form="override-form" formaction="[^"]+/%d/override"'
                     r' hx-post="[^"]+/%d/override"' % (maths.id, maths.id), html)
    assert f'name="over_capacity-{maths.id}"' not in html
    assert db_snapshot() == before


def test_enroll_anyway_with_a_reason_enrolls_and_says_so_in_history(client, clash):
    ada, _, maths = clash
    response = override(client, ada, maths, "  Took MATH-101 abroad.  ")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and enrolled(ada, maths)
    assert "checked" in checkbox(html, maths) and "Enroll anyway" not in html
    assert "Enrolled in MATH-201" in html and "Enrolled in 2 courses." in html
    assert re.search(r"enrolled Ada Lovelace in MATH-201\s*<span class=\"override-reason\">— overridden: "
                     r"Took MATH-101 abroad.</span>", html)
    assert 'hx-swap-oob="true"' in html and "Clash with PHY-201" in html   # the week
    event = EnrollmentEvent.get(EnrollmentEvent.course == maths.id)
    assert (event.override_reason, event.actor_name) == ("Took MATH-101 abroad.",
                                                         "Rita Registrar")
    page = client.get(f"/students/{ada.id}").get_data(as_text=True)
    assert "— overridden: Took MATH-101 abroad." in page


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_enroll_anyway_without_a_proper_reason_asks_again(client, clash, reason):
    ada, _, maths = clash
    response = override(client, ada, maths, reason)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not enrolled(ada, maths)
    assert re.search(r'id="reason-error-%d">(Say why|At most 500)' % maths.id, html)
    assert 'aria-invalid="true"' in html and "Clashes with PHY-201" in html


def test_a_reason_is_not_needed_once_nothing_stands_in_the_way(client, clash):
    ada, _, maths = clash
    StudentCourse.delete().execute()
    maths.prerequisites.model.delete().execute()
    assert override(client, ada, maths, "").status_code == 200 and enrolled(ada, maths)
    assert EnrollmentEvent.get().override_reason is None


def test_a_full_course_can_be_overfilled_only_when_the_offer_says_so(client, make_student,
                                                                     make_course):
    course = make_course(code="BIO-1", capacity=1)
    StudentCourse.create(student=make_student(), course=course)
    student = make_student()
    html = tick(client, student, course).get_data(as_text=True)
    assert "Course is full" in html and f'name="over_capacity-{course.id}" value="1"' in html
    assert override(client, student, course, "room has space").status_code == 409
    response = override(client, student, course, "room has space",
                        **{f"over_capacity-{course.id}": "1"})
    assert response.status_code == 200 and Course.get_by_id(course.id).enrolled_count == 2


def test_staff_are_offered_no_override_and_cannot_post_one(client, staff_client, clash):
    ada, _, maths = clash
    html = staff_client.get(f"/students/{ada.id}").get_data(as_text=True)
    assert 'id="override-form"' not in html
    assert override(staff_client, ada, maths, "because").status_code == 403
    assert not enrolled(ada, maths)


def test_without_js_enroll_anyway_posts_the_reason_and_comes_back(client, clash):
    ada, _, maths = clash
    response = override(client, ada, maths, "Placement test", headers={})
    assert response.status_code == 303 and enrolled(ada, maths)
    assert "Enrolled in MATH-201" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_without_js_a_bad_reason_or_a_refusal_is_flashed(client, clash, make_student):
    ada, _, maths = clash
    response = override(client, ada, maths, "", headers={})
    assert "Say why" in client.get(response.headers["Location"]).get_data(as_text=True)
    StudentCourse.insert_many([{"student": make_student().id, "course": maths.id}
                               for _ in range(5)]).execute()
    response = override(client, ada, maths, "ok", headers={})
    assert "Not enrolled: Course is full" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert not enrolled(ada, maths)


# Without JS: the checklist's Save leads to a confirmation page -------------------------

def save(client, student, ticked, listed, **extra):
    return client.post(f"/students/{student.id}/courses",
                       data={"course_ids": [str(c.id) for c in ticked],
                             "listed": [str(c.id) for c in listed], **extra})


def test_saving_a_conflicting_change_asks_for_confirmation_and_writes_nothing(
        client, clash, db_snapshot):
    ada, physics, maths = clash
    before = db_snapshot()
    response = save(client, ada, [physics, maths], [physics, maths], q="m", term="x")
    assert response.status_code == 303 and db_snapshot() == before
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ("<strong>MATH-201 — Calculus</strong>: <span>Clashes with PHY-201, Mon "
            "09:00–10:00; Needs MATH-101 first</span>") in html
    assert re.search(r'<input type="hidden" name="add" value="%d">' % maths.id, html)
    assert '<label for="reason">Reason to enroll anyway (kept in the history)</label>' in html
    assert f'href="/students/{ada.id}?q=m&amp;term=x"' in html   # Cancel keeps the view


def test_confirming_with_a_reason_makes_the_change(client, clash):
    ada, physics, maths = clash
    response = client.post(f"/students/{ada.id}/courses/confirm",
                           data={"add": [maths.id], "remove": [physics.id],
                                 "reason": "Swapping for the lab", "q": "m"})
    assert response.status_code == 303 and response.headers["Location"].endswith("?q=m")
    assert enrolled(ada, maths) and not enrolled(ada, physics)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Enrolled in MATH-201" in html and "Removed from PHY-201" in html
    assert EnrollmentEvent.get(EnrollmentEvent.action == "enroll").override_reason == \
        "Swapping for the lab"


def test_confirming_without_a_reason_shows_the_page_again(client, clash):
    ada, _, maths = clash
    response = client.post(f"/students/{ada.id}/courses/confirm",
                           data={"add": [maths.id], "reason": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and not enrolled(ada, maths)
    assert 'id="reason-error">Say why the rules are overridden' in html


def test_a_full_course_on_the_confirmation_page_is_overfilled_with_the_reason(
        client, clash, make_student):
    ada, _, maths = clash
    StudentCourse.insert_many([{"student": make_student().id, "course": maths.id}
                               for _ in range(5)]).execute()
    html = client.get(f"/students/{ada.id}/courses/confirm?add={maths.id}").get_data(
        as_text=True)
    assert "Needs MATH-101 first; Course is full" in html
    assert '<input type="hidden" name="over_capacity" value="1">' in html
    client.post(f"/students/{ada.id}/courses/confirm",
                data={"add": [maths.id], "reason": "ok", "over_capacity": "1"})
    assert enrolled(ada, maths) and Course.get_by_id(maths.id).enrolled_count == 6


def test_a_confirmation_with_nothing_left_to_override_goes_back(client, make_student,
                                                               make_course):
    student, course = make_student(), make_course()
    response = client.get(f"/students/{student.id}/courses/confirm?add={course.id}")
    assert response.status_code == 303
    assert "Nothing stands in the way" in client.get(response.headers["Location"]).get_data(
        as_text=True)


@pytest.mark.parametrize("url", ["/students/999/courses/confirm?add=1",
                                 "/students/{student}/courses/confirm?add=x"])
def test_the_confirmation_page_refuses_nonsense(client, make_student, url):
    response = client.get(url.format(student=make_student().id))
    assert response.status_code in (400, 404)


def test_a_tick_costs_a_fixed_number_of_queries_however_many_meetings(client, make_student,
                                                                      make_course):
    from playhouse.test_utils import count_queries
    counts = []
    for size in (1, 30):
        student = make_student()
        slots = [f"{day} {8 + n % 9:02d}:00-{8 + n % 9:02d}:50"
                 for n, day in enumerate(["mon", "tue", "wed", "thu", "fri"] * 6)][:size]
        taken = [make_course(meetings=[slot]) for slot in slots]
        StudentCourse.insert_many([{"student": student.id, "course": c.id}
                                   for c in taken]).execute()
        free = make_course(meetings=["sat 09:00-10:00"])
        clashing = make_course(meetings=[slots[0]])
        with count_queries() as ticked:
            assert tick(client, student, free).status_code == 200
        with count_queries() as refused:
            assert tick(client, student, clashing).status_code == 409
        counts.append((ticked.count, refused.count))
    # ticked: session, lock, student, conflicts, insert, history, the week
    # refused: session, lock, student, conflicts, the course, its meetings
    assert counts == [(7, 6), (7, 6)]


def test_enroll_anyway_for_a_course_gone_since_is_a_404(client, clash):
    ada, _, maths = clash
    Course.delete().where(Course.id == maths.id).execute()
    assert override(client, ada, maths, "ok").status_code == 404


def test_a_confirmation_refused_again_shows_why(client, clash, make_student):
    ada, _, maths = clash
    StudentCourse.insert_many([{"student": make_student().id, "course": maths.id}
                               for _ in range(5)]).execute()   # filled up meanwhile
    response = client.post(f"/students/{ada.id}/courses/confirm",
                           data={"add": [maths.id], "reason": "ok"})
    assert response.status_code == 409 and not enrolled(ada, maths)
    assert "Course is full" in response.get_data(as_text=True)


def test_a_confirmation_for_courses_gone_since_changes_nothing(client, clash):
    ada, _, maths = clash
    response = client.post(f"/students/{ada.id}/courses/confirm",
                           data={"add": [maths.id, 999], "reason": "ok"})
    assert response.status_code == 303 and not enrolled(ada, maths)
    assert "no longer exist" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_undo_into_a_clash_says_why_and_writes_nothing(client, make_student, make_course):
    from webapp.rules import enrollment
    student = make_student()
    old = make_course(code="ART-1", meetings=["thu 10:00-11:00"])
    enrollment.enroll(student.id, [old.id])
    enrollment.unenroll(student.id, old.id)
    enrollment.enroll(student.id, [make_course(code="ART-2", meetings=["thu 10:30-12:00"]).id])
    event = EnrollmentEvent.get(EnrollmentEvent.action == "unenroll")
    response = client.post(f"/students/{student.id}/history/{event.id}/undo")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Could not undo: Clashes with ART-2, Thu 10:30–11:00." in html
    assert not enrolled(student, old)
