"""Issue 15 points 6 and 8 in the browser: names found in either order and any script, focus
after Undo, the focus ring, the favicon, the API docs page (axe), and every page fitting a
375 px screen without sideways scrolling."""
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from webapp.models import EnrollmentEvent
from webapp.rules import enrollment

AXE = Axe()


def results(page):
    return page.get_by_role("region", name="Results")


@pytest.mark.parametrize("typed, found", [
    ("lukasiewicz", ["Jan Łukasiewicz"]),
    ("ångström", ["Anders Ångström"]),
    ("Lovelace, Ada", ["Ada Lovelace"]),
    ("ada lovelace", ["Ada Lovelace"]),
    ("lovelace", ["Ada Lovelace", "Lovelace, Byron"]),
    ("σωκρατης", ["Σωκράτης Σωφρονίσκου"]),
])
def test_typing_a_name_either_way_finds_the_student(page, make_student, typed, found):
    for name in ("Ada Lovelace", "Lovelace, Byron", "Jan Łukasiewicz", "Anders Ångström",
                 "Σωκράτης Σωφρονίσκου", "Grace Hopper"):
        make_student(name=name)
    page.goto("/students/")
    page.get_by_role("searchbox", name="Search by name, email or number").fill(typed)
    expect(results(page).get_by_role("link")).to_have_text(found)


def test_the_list_is_ordered_by_family_name(page, make_student):
    for name in ("Ada Lovelace", "Grace Hopper", "Anders Ångström", "Jan Łukasiewicz"):
        make_student(name=name)
    page.goto("/students/")
    expect(results(page).get_by_role("link")).to_have_text(
        ["Anders Ångström", "Grace Hopper", "Ada Lovelace", "Jan Łukasiewicz"])


def test_after_undo_focus_is_on_the_row_it_changed(page, make_student, make_course):
    student = make_student(name="Ada Lovelace")
    math = make_course(code="MATH-101", title="Algebra")
    make_course(code="ART-1", title="Drawing")
    enrollment.enroll(student.id, [math.id])
    enrollment.unenroll(student.id, math.id)
    page.goto(f"/students/{student.id}")
    page.get_by_role("button", name="Undo removal of Ada Lovelace from MATH-101").click()
    expect(page.get_by_text("Enrolled Ada Lovelace in MATH-101 again.")).to_be_visible()
    box = page.get_by_role("checkbox", name="MATH-101 — Algebra")
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    assert EnrollmentEvent.select().count() == 3


def test_focused_controls_show_a_2px_ring_in_the_accent_colour(page, make_student):
    make_student(name="Ada Lovelace")
    page.goto("/students/")
    page.keyboard.press("Tab")  # the skip link
    for _ in range(3):
        page.keyboard.press("Tab")
        ring = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle, s.outlineWidth, s.outlineColor]; })()""")
        assert ring == ["solid", "2px", "rgb(31, 95, 191)"]  # #1f5fbf: 5.8:1 on the page


def test_pages_link_a_favicon_that_is_served(page):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto("/students/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(href).status == 200
    assert page.request.get("/favicon.ico").status == 200  # redirected to the icon
    assert failed == []


def test_the_api_docs_page_has_no_axe_violations_and_keeps_the_navigation(page):
    page.goto("/api/docs")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Students")
           ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Registrar API"))).to_be_visible()
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def school(make_student, make_course, make_term, registrar):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    student = make_student(name="Maximiliane Wolkenstein-Rodenegg", student_number="S-2026-0001",
                           email="maximiliane.wolkenstein-rodenegg@students.example.edu")
    course = make_course(code="INTERDISCIPLINARY-401", capacity=2, term=fall,
                         title="Interdisciplinary Approaches to Environmental Sustainability",
                         meetings=["mon wed fri 09:00-10:15 Science-Building-201"])
    others = [make_student(name=f"Student Number {n}") for n in range(3)]
    enrollment.enroll(student.id, [course.id])
    enrollment.enroll(others[0].id, [course.id])
    from webapp.rules import waitlist
    waitlist.join(course.id, others[1].id)
    enrollment.unenroll(others[0].id, course.id)
    return student, course


PAGES = ["/", "/students/", "/students/new", "/students/{student}",
         "/students/{student}?term=none", "/students/{student}#history", "/students/{student}/edit",
         "/courses/", "/courses/new", "/courses/{course}", "/courses/{course}/edit",
         "/courses/{course}/class-list", "/courses/{course}/class-list?variant=sign-in",
         "/terms/", "/terms/new", "/accounts/", "/accounts/new", "/account", "/account/tokens",
         "/outbox/", "/imports/", "/api/docs"]


def assert_fits(page, name):
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
        .filter(e => !e.closest('.table-wrap, .tt-scroll'))
        .map(e => e.tagName + '.' + e.className).slice(0, 8)""")  # what sticks out
    assert widths[0] <= widths[1], (name, widths, wide)


def test_every_page_fits_a_375px_screen(page, school, browser, base_url):
    student, course = school
    page.set_viewport_size({"width": 375, "height": 740})
    for path in PAGES:
        url = path.format(student=student.id, course=course.id)
        response = page.goto(url)
        assert response.status == 200, url
        assert_fits(page, url)
    # the roster scrolls inside its own box instead
    page.goto(f"/courses/{course.id}")
    roster = page.locator("section[aria-labelledby=roster-heading] .table-wrap")
    assert roster.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    # and the sign-in page, signed out
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 740})
    try:
        login = context.new_page()
        login.goto("/login")
        assert_fits(login, "/login")
    finally:
        context.close()
