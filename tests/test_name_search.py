"""Finding students by "Family, Given" or "Given Family" in any script, and every list of
students ordered by family name then given name — the same on SQLite and PostgreSQL."""
import csv
import io
import re

import pytest
from playhouse.test_utils import assert_query_count

from webapp.models import Student
from webapp.rules import records
from webapp.rules.enrollment import enroll_students
from webapp.rules.names import name_keys

NAMES = ["Anders Ångström", "Jan Łukasiewicz", "Ada Lovelace", "Lovelace, Byron",
         "Σωκράτης Σωφρονίσκου", "Пётр Чайковский", "Ann Lee", "Amy Leeds", "Zoë adams"]
BY_FAMILY = ["Zoë adams", "Anders Ångström", "Ann Lee", "Amy Leeds", "Ada Lovelace",
             "Lovelace, Byron", "Jan Łukasiewicz", "Σωκράτης Σωφρονίσκου", "Пётр Чайковский"]


@pytest.fixture
def people(make_student):
    return [make_student(name=name, student_number=f"N-{n}") for n, name in enumerate(NAMES)]


def names_in(html):
    return [name for name in re.findall(r'<a href="/students/\d+">([^<]+)</a>', html)]


def page_names(client, q=""):
    html = client.get("/students/", query_string={"q": q} if q else None).get_data(as_text=True)
    return [n.replace("&#39;", "'") for n in names_in(html)]


SEARCHES = [
    ("ångström", ["Anders Ångström"]), ("ANGSTROM", ["Anders Ångström"]),
    ("Ångström, Anders", ["Anders Ångström"]), ("angstrom,and", ["Anders Ångström"]),
    ("lukasiewicz", ["Jan Łukasiewicz"]), ("Łukasiewicz, Jan", ["Jan Łukasiewicz"]),
    ("jan luk", ["Jan Łukasiewicz"]),
    ("Lovelace, Ada", ["Ada Lovelace"]), ("ada lovelace", ["Ada Lovelace"]),
    ("lovelace", ["Ada Lovelace", "Lovelace, Byron"]), ("Byron Lovelace", ["Lovelace, Byron"]),
    ("lovelace, b", ["Lovelace, Byron"]), ("LEE", ["Ann Lee", "Amy Leeds"]),
    ("Lee, Ann", ["Ann Lee"]), ("σωκρατης", ["Σωκράτης Σωφρονίσκου"]),
    ("ΣΩΚΡΆΤΗΣ", ["Σωκράτης Σωφρονίσκου"]), ("чайковский", ["Пётр Чайковский"]),
    ("Петр", ["Пётр Чайковский"]), ("N-3", ["Lovelace, Byron"]),
    ("Adams, Zoe", ["Zoë adams"]), ("Ada, Lovelace", []),
]


@pytest.mark.parametrize("q, found", SEARCHES)
def test_the_student_list_finds_names_in_either_order_accents_and_case_aside(
        client, people, q, found):
    assert page_names(client, q) == found


@pytest.mark.parametrize("q, found", SEARCHES[::4])
def test_the_api_finds_the_same_students(api, people, q, found):
    body = api.get("/api/students", query_string={"q": q}).get_json()
    assert [item["name"] for item in body["items"]] == found


def test_a_search_of_only_punctuation_still_searches_email_and_number(client, people,
                                                                       make_student):
    make_student(name="Grace Hopper", email="g,h@example.edu")
    assert page_names(client, ",") == ["Grace Hopper"]


def test_the_student_list_and_the_api_order_by_family_then_given_name(client, api, people):
    assert page_names(client) == BY_FAMILY
    assert [s["name"] for s in api.get("/api/students").get_json()["items"]] == BY_FAMILY


def test_student_list_query_count_is_unchanged_by_a_name_search(client, people):
    with assert_query_count(3):  # session, count, page
        client.get("/students/", query_string={"q": "Lovelace, Ada"})


def test_the_roster_its_csv_and_the_api_roster_order_by_family_name(client, api, people,
                                                                     make_course):
    course = make_course(code="MATH-101")
    enroll_students(course.id, [s.id for s in reversed(people)])
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    roster = html.split('id="roster-heading"')[1].split('id="waitlist-heading"')[0]
    assert names_in(roster) == BY_FAMILY
    assert re.search(r">Ada Lovelace</a></td>\s*<td>N-2</td>", roster)  # the number shown
    rows = list(csv.reader(io.StringIO(
        client.get(f"/courses/{course.id}/roster.csv").data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == BY_FAMILY
    body = api.get(f"/api/courses/{course.id}/students").get_json()
    assert [s["name"] for s in body["students"]] == BY_FAMILY


def test_students_to_add_on_the_course_page_are_found_and_ordered_alike(client, people,
                                                                        make_course):
    course = make_course()
    html = client.get(f"/courses/{course.id}", query_string={"q": "lukasiewicz"}
                      ).get_data(as_text=True)
    assert "Jan Łukasiewicz</label>" in html and "Ada Lovelace</label>" not in html
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    labels = re.findall(r'<label for="student-\d+">([^<]+)</label>', html)
    assert labels == BY_FAMILY


def test_every_write_path_keeps_the_keys(client, api, people):
    ada = Student.get(Student.name == "Ada Lovelace")
    records.update_student(ada.id, {"name": "Łucja Ångström"})
    assert Student.get_by_id(ada.id).search_key == name_keys("Łucja Ångström")["search_key"]
    # the form
    client.post(f"/students/{ada.id}/edit", data={"name": "Wisława Szymborska",
                                                  "email": ada.email, "student_number": ""})
    assert page_names(client, "szymborska, wislawa") == ["Wisława Szymborska"]
    # the API, create and rename
    created = api.post("/api/students", json={"name": "Ørjan Ødegård",
                                              "email": "o@example.edu"}).get_json()
    assert page_names(client, "odegard") == ["Ørjan Ødegård"]
    api.patch(f"/api/students/{created['id']}", json={"name": "Þóra Ödegård"})
    assert page_names(client, "thora") == ["Þóra Ödegård"]
    # a change of email alone keeps the keys
    api.patch(f"/api/students/{created['id']}", json={"email": "t@example.edu"})
    assert page_names(client, "odegard, thora") == ["Þóra Ödegård"]


def test_demo_and_generated_students_carry_their_keys(runner, database):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert runner.invoke(args=["gen-data", "--students", "30", "--courses", "2",
                               "--enrollments", "10"]).exit_code == 0
    students = list(Student.select())
    assert len(students) > 300
    assert all(s.search_key == name_keys(s.name)["search_key"]
               and s.sort_key == name_keys(s.name)["sort_key"] for s in students)
