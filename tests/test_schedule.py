"""Meeting times and prerequisites as people write and read them."""
import pytest

from tests.conftest import meeting
from webapp.rules import prerequisites, schedule
from webapp.rules.schedule import Meeting


@pytest.mark.parametrize("text, groups", [
    ("MATH-101 or MATH-100; PHY-101", [["MATH-100", "MATH-101"], ["PHY-101"]]),
    ("math-101 OR math-100 ; phy-101 ;", [["math-100", "math-101"], ["phy-101"]]),  # as written
    ("Phys 1 or PHYS 1; MATH-101", [["MATH-101"], ["Phys 1"]]),  # one spelling per code
    ("ART-1, ART-2 / ART-3 and PHY-101", [["ART-1", "ART-2", "ART-3"], ["PHY-101"]]),
    ("PHY-101; PHY-101 or PHY-101", [["PHY-101"]]),     # repeats count once
    ("", []), ("  ;  ", []),
])
def test_prerequisites_are_read_from_text(text, groups):
    assert prerequisites.normalise(prerequisites.parse(text)) == groups


@pytest.mark.parametrize("groups, words", [
    ([], ""),
    ([["MATH-101"]], "MATH-101"),
    ([["MATH-100", "MATH-101"], ["PHY-101"]], "MATH-100 or MATH-101, and PHY-101"),
    ([["A-1", "A-2", "A-3"], ["B-1"], ["C-1"]], "A-1, A-2 or A-3, and B-1, and C-1"),
])
def test_prerequisites_are_shown_in_words_that_read_back_the_same(groups, words):
    assert prerequisites.in_words(groups) == words
    assert prerequisites.normalise(prerequisites.parse(words)) == groups
    assert prerequisites.normalise(prerequisites.parse(prerequisites.as_text(groups))) == groups


def test_days_are_a_bit_set_in_week_order():
    assert schedule.day_bits(["wed", "mon", "mon"]) == 0b101
    assert schedule.days_of(0b1000101) == ("mon", "wed", "sun")


@pytest.mark.parametrize("text, minutes", [("09:00", 540), ("9:05", 545), ("23:59", 1439),
                                           ("00:00", 0), ("24:00", None), ("9", None),
                                           ("09:60", None), (None, None), (930, None)])
def test_clock_times_are_minutes_after_midnight(text, minutes):
    assert schedule.parse_clock(text) == minutes


def test_a_meeting_in_words_and_json():
    lab = Meeting(("mon", "wed"), 540, 630, "B12")
    assert lab.text == "Mon, Wed 09:00–10:30, room B12"
    assert lab.as_json() == {"days": ["mon", "wed"], "start": "09:00", "end": "10:30",
                             "room": "B12"}
    assert meeting("fri 13:00-14:00").text == "Fri 13:00–14:00"


def no_room_check(value, field, errors):
    return value


@pytest.mark.parametrize("item, problems", [
    ({"days": [], "start": "09:00", "end": "10:00"}, {"m.days": "Choose at least one day."}),
    ({"days": ["mon", "funday"], "start": "09:00", "end": "10:00"}, {"m.days": "Days are"}),
    ({"days": ["mon"], "start": "9am", "end": "10:00"}, {"m.start": "like 09:00"}),
    ({"days": ["mon"], "start": "10:00", "end": "10:00"}, {"m.end": "after the start (10:00)"}),
    ({"days": ["mon"]}, {"m.start": "start time", "m.end": "end time"}),
    ("not an object", {"m": "days, start and end"}),
])
def test_a_bad_meeting_says_what_is_wrong_with_each_part(item, problems):
    errors = {}
    assert schedule.clean_meeting(item, "m", errors, no_room_check) is None
    assert set(errors) == set(problems)
    assert all(problems[key] in errors[key] for key in problems)


def test_a_good_meeting_is_cleaned():
    errors = {}
    item = {"days": ["WED", "mon"], "start": "9:00", "end": "10:30", "room": "B12"}
    assert schedule.clean_meeting(item, "m", errors, no_room_check) == \
        Meeting(("mon", "wed"), 540, 630, "B12")
    assert errors == {}


@pytest.mark.parametrize("text, expected", [
    ("mon wed 09:00-10:30 B12", Meeting(("mon", "wed"), 540, 630, "B12")),
    ("fri tue 13:00-15:50 Studio B", Meeting(("tue", "fri"), 780, 950, "Studio B")),
    ("thu 8:05-9:00", Meeting(("thu",), 485, 540, None)),
])
def test_the_short_form_of_a_meeting(text, expected):
    assert schedule.parse_meeting(text) == expected
