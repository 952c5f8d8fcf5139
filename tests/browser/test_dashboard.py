"""The registrar's desk in a browser: its figures match the data, the term switcher swaps
them in place, it passes axe and fits a 375 px screen; staff are told they only view, see
no links to forms and get a 403 page that explains when they open one."""
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_no_violations
from webapp import security
from webapp.models import Course
from webapp.rules import enrollment, users, waitlist

NOTICE = "You can view; only registrars can change enrollments."


def day(offset):
    return (date.today() + timedelta(days=offset)).isoformat()


@pytest.fixture
def desk(make_term, make_course, make_student):
    """This term: GEO-1 full (3 of 3) with two waiting, HIS-1 2 of 8, LAT-1 no limit with 1;
    next term: MUS-1 1 of 4. Zed is in no course this term."""
    now = make_term("NOW", day(-20), day(70), name="This term")
    later = make_term("NEXT", day(100), day(200), name="Next term")
    geo = make_course(code="GEO-1", title="Maps", capacity=3, term=now)
    his = make_course(code="HIS-1", title="Rome", capacity=8, term=now)
    lat = make_course(code="LAT-1", title="Latin", term=now)
    mus = make_course(code="MUS-1", title="Music", capacity=4, term=later)
    people = [make_student(name=f"Pupil {n}") for n in range(5)]
    zed = make_student(name="Zed Nobody")
    enrollment.enroll_students(geo.id, [p.id for p in people[:3]])
    enrollment.enroll_students(his.id, [p.id for p in people[:2]])
    enrollment.enroll_students(lat.id, [people[0].id])
    enrollment.enroll_students(mus.id, [zed.id])
    for waiting in people[3:]:
        waitlist.join(geo.id, waiting.id)
    return {"now": now, "later": later, "geo": geo, "zed": zed}


def figures(page):
    """The fill table's rows as [code, enrolled, seats, full]."""
    rows = page.get_by_role("table").first.locator("tbody tr")
    return [[cell.strip() for cell in row.locator("th a, td").all_inner_texts()]
            for row in rows.all()]


def test_the_desk_figures_match_the_data_and_follow_the_term(page, desk):
    page.goto("/")
    expect(page.get_by_role("heading", name="Courses by fill rate — This term")).to_be_visible()
    assert figures(page) == [["GEO-1", "3", "3", "100%"], ["HIS-1", "2", "8", "25%"],
                             ["LAT-1", "1", "No limit", "—"]]
    chart = page.get_by_role("img", name="How full each course in This term is")
    expect(chart).to_be_visible()
    # The chart's bars, fullest first, say what the database holds.
    courses = Course.select().where(Course.term == desk["now"].id, Course.capacity.is_null(False))
    shares = sorted(((c.enrolled_count / c.capacity, c.code) for c in courses), reverse=True)
    expect(chart.locator("text.code")).to_have_text([code for _, code in shares])
    expect(chart.locator("text.value")).to_have_text([f"{round(100 * s)}%" for s, _ in shares])
    full = page.get_by_role("region", name="Full courses and their waitlists")
    expect(full.get_by_role("row", name="GEO-1 3 / 3 2 Pupil 3")).to_be_visible()
    nobody = page.get_by_role("region", name="Students with no course in This term")
    expect(nobody.get_by_role("link", name="Zed Nobody")).to_be_visible()

    page.get_by_label("Term", exact=True).select_option(label=f"Next term ({desk_dates(desk['later'])})")
    expect(page.get_by_role("heading", name="Courses by fill rate — Next term")).to_be_visible()
    assert figures(page) == [["MUS-1", "1", "4", "25%"]]
    assert page.url.endswith(f"/?term={desk['later'].id}")
    expect(page.get_by_role("region", name="Students with no course in Next term")
           .get_by_role("link", name="Zed Nobody")).to_have_count(0)


def desk_dates(term):
    return " – ".join(f"{d.day} {d:%b %Y}" for d in (term.starts_on, term.ends_on))


def test_undo_from_the_latest_changes_comes_back_to_the_desk(page, desk, enrolled):
    geo, zed = desk["geo"], desk["zed"]
    his = Course.get(Course.code == "HIS-1")
    enrollment.enroll_students(his.id, [zed.id])
    enrollment.unenroll(zed.id, his.id)
    page.goto("/")
    page.get_by_role("button", name="Undo removal of Zed Nobody from HIS-1").click()
    expect(page.get_by_text("Enrolled Zed Nobody in HIS-1 again.")).to_be_visible()
    assert urlsplit(page.url).path == "/"
    assert enrolled(zed, his) and not enrolled(zed, geo)


def test_the_desk_has_no_axe_violations(page, desk):
    page.goto("/")
    assert_no_violations(page)


def test_an_empty_desk_has_no_axe_violations(page):
    page.goto("/")
    expect(page.get_by_text("No enrollment changes yet.")).to_be_visible()
    assert_no_violations(page)


def test_the_desk_fits_a_375px_screen(page, desk):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")
    page.wait_for_load_state("load")
    widths = page.evaluate("[document.documentElement.scrollWidth, "
                           "document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


@pytest.fixture
def staff_page(browser, base_url, staff_user):
    context = browser.new_context(base_url=base_url)
    context.add_cookies([{"name": security.SESSION_COOKIE, "url": base_url,
                          "value": users.start_session(staff_user)}])
    yield context.new_page()
    context.close()


def test_staff_are_told_once_see_no_form_links_and_get_an_explaining_403(staff_page, desk):
    geo = desk["geo"]
    for url in ("/", "/students/", f"/students/{desk['zed'].id}", "/courses/",
                f"/courses/{geo.id}", "/terms/"):
        staff_page.goto(url)
        expect(staff_page.get_by_text(NOTICE)).to_have_count(1)
        for name in ("New student", "New course", "New term", "Edit", "Remove", "Accounts",
                     "Undo"):
            expect(staff_page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    response = staff_page.goto(f"/courses/{geo.id}/edit")
    assert response.status == 403
    expect(staff_page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(staff_page.get_by_text("This form is for registrars.", exact=False)).to_be_visible()
    expect(staff_page.get_by_role("textbox")).to_have_count(0)
    assert_no_violations(staff_page)


def test_the_desk_prints_its_figures_without_controls(page, desk):
    his = Course.get(Course.code == "HIS-1")
    enrollment.unenroll(enrollment.course_roster(his.id)[0].id, his.id)  # an Undo to hide
    page.goto("/")
    expect(page.get_by_role("button", name="Undo", exact=False)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("img", name="How full each course in This term is")).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    for hidden in (page.get_by_role("navigation", name="Main"),
                   page.get_by_label("Term", exact=True),
                   page.get_by_role("link", name="Download (CSV)").first,
                   page.get_by_role("button", name="Undo", exact=False)):
        expect(hidden).to_be_hidden()
    assert page.pdf(format="A4")[:4] == b"%PDF"
