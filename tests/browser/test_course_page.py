"""A course's roster: bulk add several students, remove one, download the CSV."""
import csv

from playwright.sync_api import expect

from tests.browser.conftest import page_without_js
from webapp.models import StudentCourse


def on_roster(course):
    return sorted(row.student.name for row in
                  StudentCourse.select().where(StudentCourse.course == course.id))


def test_bulk_add_three_students_then_roster_csv_lists_them(page, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra", capacity=10)
    names = ["Team Ada", "Team Alan", "Team Grace"]
    for name in names:
        make_student(name=name)
    make_student(name="Other Person")
    page.goto(f"/courses/{course.id}")
    page.get_by_role("searchbox", name="Find students to add").fill("team")
    expect(page.get_by_role("checkbox", name="Other Person")).to_have_count(0)
    for name in names:
        page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Enroll selected students").click()
    expect(page.get_by_text("Added 3 students.")).to_be_visible()
    roster = page.get_by_role("region", name="Roster")
    for name in names:
        expect(roster.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert StudentCourse.select().where(StudentCourse.course == course.id).count() == 3

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download roster (CSV)").click()
    path = download_info.value.path()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["name"] for row in rows) == names


def test_bulk_add_beyond_capacity_explains_and_adds_nobody(page, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra", capacity=2)
    for name in ["Team Ada", "Team Alan", "Team Grace"]:
        make_student(name=name)
    page.goto(f"/courses/{course.id}")
    for name in ["Team Ada", "Team Alan", "Team Grace"]:
        page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Enroll selected students").click()
    expect(page.get_by_text("MATH-101 has 2 seats left, not enough for 3 students; "
                            "nobody was added.")).to_be_visible()
    assert StudentCourse.select().count() == 0


def test_removing_from_the_roster_asks_first(page, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra")
    student = make_student(name="Ada Lovelace")
    StudentCourse.create(student=student, course=course)
    page.goto(f"/courses/{course.id}")
    page.get_by_role("link", name="Remove Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Remove Ada Lovelace from MATH-101?")).to_be_visible()
    assert StudentCourse.select().count() == 1
    page.get_by_role("button", name="Remove from roster").click()
    expect(page.get_by_text("Removed Ada Lovelace from MATH-101.")).to_be_visible()
    expect(page.get_by_text("Nobody is enrolled yet.")).to_be_visible()
    assert StudentCourse.select().count() == 0


def test_ticks_survive_searching_again_and_all_are_added(page, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra", capacity=10)
    for name in ["Team Ada", "Team Alan", "Grace Hopper"]:
        make_student(name=name)
    page.goto(f"/courses/{course.id}")
    search = page.get_by_role("searchbox", name="Find students to add")
    search.fill("team")
    expect(page.get_by_role("checkbox", name="Grace Hopper")).to_have_count(0)
    page.get_by_role("checkbox", name="Team Ada").check()
    page.get_by_role("checkbox", name="Team Alan").check()
    search.fill("grace")
    selected = page.get_by_role("group", name="Selected (2)")
    expect(selected.get_by_role("checkbox", checked=True)).to_have_count(2)
    expect(search).to_be_focused()
    page.get_by_role("checkbox", name="Grace Hopper").check()
    page.get_by_role("button", name="Enroll selected students").click()
    expect(page.get_by_text("Added 3 students.")).to_be_visible()
    assert on_roster(course) == ["Grace Hopper", "Team Ada", "Team Alan"]


def test_ticks_survive_paging_through_the_candidates(page, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra")
    for n in range(30):
        make_student(name=f"Pupil {n:02d}")
    page.goto(f"/courses/{course.id}")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_role("checkbox", name="Pupil 00").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_role("group", name="Selected (1)")).to_contain_text("Pupil 00")
    page.get_by_role("checkbox", name="Pupil 29").check()
    page.get_by_role("button", name="Enroll selected students").click()
    expect(page.get_by_text("Added 2 students.")).to_be_visible()
    assert on_roster(course) == ["Pupil 00", "Pupil 29"]


def test_without_javascript_search_keeps_ticks_and_unticking_leaves_one_out(
        browser, base_url, session_cookie, make_course, make_student):
    course = make_course(code="MATH-101", title="Algebra")
    for name in ["Team Ada", "Team Alan", "Grace Hopper"]:
        make_student(name=name)
    with page_without_js(browser, base_url, session_cookie) as page:
        page.goto(f"/courses/{course.id}")
        search = page.get_by_role("searchbox", name="Find students to add")
        search.fill("team")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("checkbox", name="Grace Hopper")).to_have_count(0)
        page.get_by_role("checkbox", name="Team Ada").check()
        page.get_by_role("checkbox", name="Team Alan").check()
        search.fill("grace")
        search.press("Enter")  # searches (the form's first button), never enrolls
        selected = page.get_by_role("group", name="Selected (2)")
        expect(selected).to_be_visible()
        assert on_roster(course) == []
        page.get_by_role("checkbox", name="Grace Hopper").check()
        selected.get_by_role("checkbox", name="Team Alan").uncheck()
        page.get_by_role("button", name="Enroll selected students").click()
        expect(page.get_by_text("Added 2 students.")).to_be_visible()
    assert on_roster(course) == ["Grace Hopper", "Team Ada"]
