"""The Terms page: list, create, edit and delete terms with date inputs."""
import re
from datetime import date

import pytest

from webapp.models import Term

FALL = {"code": "2026-fall", "name": "Fall 2026", "starts_on": "2026-09-01",
        "ends_on": "2026-12-18"}


def test_terms_are_listed_with_dates_and_course_counts(client, make_term, make_course):
    fall = make_term("FALL", "2026-09-01", "2026-12-18", name="Fall 2026")
    make_term("SPRING", "2027-01-11", "2027-05-28", name="Spring 2027")
    make_course(term=fall)
    make_course(term=fall)
    html = client.get("/terms/").get_data(as_text=True)
    assert html.index("Fall 2026") < html.index("Spring 2027")
    assert "1 Sep 2026 – 18 Dec 2026" in html
    assert re.search(r'href="/courses/\?term=%d"[^>]*>2</a>' % fall.id, html)
    assert 'href="/terms/new"' in html and 'aria-label="Delete Fall 2026"' in html


def test_no_terms_yet_says_so(client):
    assert "No terms yet" in client.get("/terms/").get_data(as_text=True)


def test_the_form_uses_the_browsers_date_inputs(client):
    html = client.get("/terms/new").get_data(as_text=True)
    assert re.search(r'<input id="starts_on" name="starts_on" type="date"', html)
    assert re.search(r'<input id="ends_on" name="ends_on" type="date"', html)


def test_creating_a_term(client):
    response = client.post("/terms/new", data=FALL)
    assert response.status_code == 303 and response.headers["Location"].endswith("/terms/")
    term = Term.get()
    assert (term.code, term.starts_on, term.ends_on) == ("2026-FALL", date(2026, 9, 1),
                                                         date(2026, 12, 18))
    assert "Added 2026-FALL." in client.get("/terms/").get_data(as_text=True)


@pytest.mark.parametrize("changes, field, message", [
    ({"ends_on": "2026-08-01"}, "ends_on", "Must be on or after the start (2026-09-01)."),
    ({"starts_on": ""}, "starts_on", "Enter a date like 2026-09-01."),
    ({"code": "fall term"}, "code", "Use letters, digits and dashes"),
    ({"name": " "}, "name", "This field is required."),
])
def test_a_bad_term_shows_the_message_next_to_its_field(client, changes, field, message):
    html = client.post("/terms/new", data={**FALL, **changes}).get_data(as_text=True)
    assert re.search(r'id="%s-error">[^<]*%s' % (field, re.escape(message)), html)
    assert Term.select().count() == 0


def test_editing_a_term_and_a_taken_code(client, make_term):
    make_term("SPRING", "2027-01-11", "2027-05-28")
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    form = client.get(f"/terms/{fall.id}/edit").get_data(as_text=True)
    assert 'value="2026-09-01"' in form
    client.post(f"/terms/{fall.id}/edit", data={**FALL, "code": "FALL", "name": "Autumn"})
    assert Term.get_by_id(fall.id).name == "Autumn"
    html = client.post(f"/terms/{fall.id}/edit",
                       data={**FALL, "code": "spring"}).get_data(as_text=True)
    assert "Another term already has this code." in html


def test_a_term_with_courses_is_not_deleted(client, make_term, make_course):
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    make_course(term=fall)
    response = client.post(f"/terms/{fall.id}/delete")
    assert response.status_code == 303
    assert "Cannot delete FALL: 1 course still belongs to it; move or delete it first." in \
        client.get("/terms/").get_data(as_text=True)
    assert Term.select().count() == 1


def test_deleting_an_empty_term_and_one_already_gone(client, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    client.post(f"/terms/{fall.id}/delete")
    assert Term.select().count() == 0
    client.post(f"/terms/{fall.id}/delete")
    assert "That term no longer exists." in client.get("/terms/").get_data(as_text=True)


def test_staff_see_terms_but_cannot_change_them(staff_client, make_term):
    fall = make_term("FALL", "2026-09-01", "2026-12-18")
    html = staff_client.get("/terms/").get_data(as_text=True)
    assert "FALL" in html and "/terms/new" not in html and "Delete" not in html
    assert staff_client.post("/terms/new", data=FALL).status_code == 403
    assert staff_client.post(f"/terms/{fall.id}/delete").status_code == 403
