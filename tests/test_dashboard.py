"""The registrar's desk at `/`: figures that match the data, one term at a time, the
lists' CSV files, empty states, Undo from the latest changes, a flat query budget."""
import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import Course, EnrollmentEvent, StudentCourse
from webapp.rules import enrollment

TODAY = date.today()


@pytest.fixture
def now_term(make_term):
    """A term that contains today, and one after it."""
    def day(offset):
        return (TODAY + timedelta(days=offset)).isoformat()
    current = make_term("NOW", day(-30), day(60), name="This term")
    later = make_term("NEXT", day(90), day(200), name="Next term")
    return current, later


@pytest.fixture
def school(now_term, make_course, make_student, full_course):
    """This term: ALG full (2 of 2, three waiting), BIO 1 of 4, CHE no limit with 3;
    next term: DRA 1 of 10. Ada is in no course this term."""
    current, later = now_term
    alg, enrolled, waiting = full_course(capacity=2, waiting=3, code="ALG-1")
    Course.update(term=current).where(Course.id == alg.id).execute()
    bio = make_course(code="BIO-1", title="Cells", capacity=4, term=current)
    che = make_course(code="CHE-1", title="Chemistry", term=current)
    dra = make_course(code="DRA-1", title="Drama", capacity=10, term=later)
    ada = make_student(name="Ada Lovelace", student_number="S-1")
    enrollment.enroll_students(bio.id, [enrolled[0]])
    enrollment.enroll_students(che.id, enrolled + [waiting[0]])
    enrollment.enroll_students(dra.id, [ada.id])
    return {"alg": alg, "bio": bio, "che": che, "dra": dra, "ada": ada,
            "enrolled": enrolled, "waiting": waiting}


def main_html(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def panel(html, heading_id):
    """The HTML of the <section> labelled by `heading_id`."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.DOTALL)
    assert match, heading_id
    return match.group(0)


def table_rows(section):
    """Each body row's cells as text."""
    body = re.search(r"<tbody>(.*?)</tbody>", section, re.DOTALL).group(1)
    body = re.sub(r'<span class="muted[^"]*">.*?</span>', "", body)  # titles, "since …"
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_the_desk_opens_on_the_term_of_today_with_its_fill_rates(client, school):
    html = main_html(client)
    assert re.search(r'<option value="\d+" selected>This term', html)
    fill = panel(html, "fill-heading")
    assert "Courses by fill rate — This term" in fill
    # Fullest first; the course with no limit last; the same figures in chart and table.
    assert table_rows(fill) == [["ALG-1", "2", "2", "100%"], ["BIO-1", "1", "4", "25%"],
                                ["CHE-1", "3", "No limit", "—"]]
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", fill, re.DOTALL).group(1)
    assert desc == "ALG-1: 100% (2 of 2); BIO-1: 25% (1 of 4)."
    assert re.findall(r'<text class="code"[^>]*>([^<]+)</text>', fill) == ["ALG-1", "BIO-1"]
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', fill)]
    assert widths[0] == pytest.approx(4 * widths[1])  # 100% against 25%
    assert 'role="img"' in fill and "<title" in fill
    assert "Courses with no limit are not charted." in fill
    term_panels = re.search(r'<div id="term-desk".*?id="changes-heading"', html, re.DOTALL).group(0)
    assert "DRA-1" not in term_panels  # another term's course (the latest changes are school-wide)


def test_full_courses_show_their_queue_and_who_is_next(client, school):
    full = panel(main_html(client), "full-heading")
    assert len(table_rows(full)) == 1
    code, seats, waiting, _ = table_rows(full)[0]
    assert (code, seats, waiting) == ("ALG-1", "2 / 2", "3")
    first = school["waiting"][0]
    assert re.search(rf'<a href="/students/{first}">Student \d+</a> <span class="muted">since '
                     r"\d{4}-\d\d-\d\d \d\d:\d\d</span>", full)


def test_students_in_no_course_of_the_term_are_listed_and_counted(client, school):
    section = panel(main_html(client), "unenrolled-heading")
    waiting_only = school["waiting"][1:]  # waiting is not enrolled
    assert "3 students" in section
    linked = [int(i) for i in re.findall(r'href="/students/(\d+)\?term=', section)]
    assert sorted(linked) == sorted([school["ada"].id, *waiting_only])


def test_switching_term_shows_that_terms_figures(client, school, now_term):
    _, later = now_term
    html = main_html(client, f"/?term={later.id}")
    assert table_rows(panel(html, "fill-heading")) == [["DRA-1", "1", "10", "10%"]]
    assert "No course in Next term is full." in html
    assert "Ada Lovelace" not in panel(html, "unenrolled-heading")
    assert client.get("/?term=999").status_code == 404


def test_latest_changes_name_who_did_what_to_whom_with_undo_for_a_removal(client, school):
    bio, ada = school["bio"], school["ada"]
    enrollment.enroll_students(bio.id, [ada.id])
    enrollment.unenroll(ada.id, bio.id)
    changes = panel(main_html(client), "changes-heading")
    assert re.search(r"<strong>system</strong>\s*removed <a href=\"/students/\d+\">Ada Lovelace</a>"
                     r" from <a href=\"/courses/\d+\">BIO-1</a>", changes)
    assert changes.count(">Undo</button>") == 1
    event = EnrollmentEvent.select().order_by(EnrollmentEvent.id.desc()).get()
    undone = client.post(f"/students/{ada.id}/history/{event.id}/undo",
                         data={"next": "/#changes-heading"})
    assert undone.status_code == 303 and undone.headers["Location"] == "/#changes-heading"
    assert StudentCourse.select().where(StudentCourse.student == ada.id,
                                        StudentCourse.course == bio.id).exists()


def test_undo_never_follows_a_next_to_another_site(client, school):
    bio, ada = school["bio"], school["ada"]
    enrollment.enroll_students(bio.id, [ada.id])
    enrollment.unenroll(ada.id, bio.id)
    event = EnrollmentEvent.select().order_by(EnrollmentEvent.id.desc()).get()
    undone = client.post(f"/students/{ada.id}/history/{event.id}/undo",
                         data={"next": "//evil.example/"})
    assert undone.headers["Location"] == f"/students/{ada.id}"


def test_staff_see_the_desk_without_undo(staff_client, school):
    enrollment.unenroll(school["enrolled"][0], school["bio"].id)
    html = main_html(staff_client)
    assert "removed" in panel(html, "changes-heading") and "Undo" not in html


def test_an_empty_school_has_an_empty_state_in_every_panel(client):
    html = main_html(client)
    for text in ("There are no courses yet.", "No course is full.",
                 "Every student has a course.", "No enrollment changes yet."):
        assert text in html
    assert "Download" not in html and "<svg" not in html


def test_each_list_downloads_as_csv(client, school, now_term):
    current, _ = now_term
    fill = csv_rows(client.get(f"/desk/fill.csv?term={current.id}"))
    assert fill == [["code", "title", "enrolled", "capacity", "fill_percent", "waiting"],
                    ["ALG-1", "Course 1", "2", "2", "100", "3"],
                    ["BIO-1", "Cells", "1", "4", "25", "0"],
                    ["CHE-1", "Chemistry", "3", "", "", "0"]]
    full = csv_rows(client.get("/desk/full.csv"))
    assert full[0][-1] == "next_waiting_since (UTC)" and [r[0] for r in full[1:]] == ["ALG-1"]
    unenrolled = csv_rows(client.get("/desk/unenrolled.csv"))
    assert unenrolled[0] == ["name", "email", "student_number"] and len(unenrolled) == 4
    changes = csv_rows(client.get("/desk/changes.csv"))
    assert changes[0] == ["changed_at (UTC)", "by", "action", "student", "course",
                          "override_reason"]
    assert len(changes) == 1 + EnrollmentEvent.select().count()
    disposition = client.get(f"/desk/fill.csv?term={current.id}").headers["Content-Disposition"]
    assert 'filename="NOW-fill.csv"' in disposition


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(client, now_term, make_student):
    make_student(name="=HYPERLINK(1)", student_number="+1")
    rows = csv_rows(client.get("/desk/unenrolled.csv"))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][2] == "'+1"


def test_the_desk_lists_at_most_50_students_and_the_csv_has_them_all(client, now_term,
                                                                     make_student):
    for n in range(55):
        make_student(name=f"Pupil {n:02d}")
    section = panel(main_html(client), "unenrolled-heading")
    assert "55 students; the first 50 by name" in section
    assert section.count("<li>") == 50 and "Pupil 49" in section and "Pupil 50" not in section
    assert len(csv_rows(client.get("/desk/unenrolled.csv"))) == 56


def grow(make_course, make_student, term, courses, students):
    """`courses` more courses with students and a queue each, `students` more students."""
    from webapp.rules import waitlist
    for _ in range(courses):
        course = make_course(capacity=1, term=term)
        enrollment.enroll_students(course.id, [make_student().id])
        waitlist.join(course.id, make_student().id)
    for _ in range(students):
        make_student()


def test_the_desk_costs_six_queries_however_much_data(client, staff_client, now_term,
                                                      make_course, make_student):
    current, _ = now_term
    grow(make_course, make_student, current, 1, 1)
    with assert_query_count(6):  # session, terms, courses, students, latest changes, jobs
        small = main_html(client)
    grow(make_course, make_student, current, 12, 60)
    with assert_query_count(6):
        large = main_html(client)
    assert small.count("<g class=") == 1 and large.count("<g class=") == 13
    with assert_query_count(5):  # staff: no import jobs
        main_html(staff_client)


def test_registrars_see_the_latest_import_jobs_with_their_status(client, staff_client,
                                                                 registrar):
    from webapp.models import ImportJob
    assert "No imports yet." in panel(main_html(client), "jobs-heading")
    for n, status in enumerate(["done", "failed", "running", "queued", "done", "done"]):
        ImportJob.create(filename=f"bundle-{n}.zip", stored_path=f"/tmp/{n}", dry_run=n == 0,
                         strict=False, allow_removals=False, status=status, progress=0.5,
                         created_by=registrar if n else None,
                         created_at=datetime(2026, 12, 1, 9, n))
    jobs = panel(main_html(client), "jobs-heading")
    assert table_rows(jobs) == [["bundle-5.zip", "Done", "2026-12-01 09:05", "Rita Registrar"],
                                ["bundle-4.zip", "Done", "2026-12-01 09:04", "Rita Registrar"],
                                ["bundle-3.zip", "Queued", "2026-12-01 09:03", "Rita Registrar"],
                                ["bundle-2.zip", "Running (50%)", "2026-12-01 09:02",
                                 "Rita Registrar"],
                                ["bundle-1.zip", "Failed", "2026-12-01 09:01", "Rita Registrar"]]
    assert 'aria-labelledby="jobs-heading"' not in main_html(staff_client)


def test_each_job_links_to_its_report_on_the_import_page(app, client, registrar):
    from webapp.models import ImportJob
    if "imports.show" not in app.view_functions:
        pytest.skip("no Import page here yet (branch roster-web adds imports.show)")
    job = ImportJob.create(filename="bundle.zip", stored_path="/tmp/b", dry_run=True,
                           strict=False, allow_removals=False, created_by=registrar)
    jobs = panel(main_html(client), "jobs-heading")
    assert f'<a href="/imports/{job.id}">bundle.zip</a>' in jobs


def test_a_csv_file_name_beyond_ascii_keeps_an_ascii_fallback(app):
    from webapp.pages.exports import csv_response
    with app.test_request_context():
        response = csv_response('ÉTÉ 101 "A".csv', ["a"], [])
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"_T__101__A_.csv\"; "
        "filename*=UTF-8''%C3%89T%C3%89%20101%20%22A%22.csv")
