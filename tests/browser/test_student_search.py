"""Finding a student from the list: search as you type, bookmarkable, Back works."""
import re

from playwright.sync_api import expect


def results(page):
    return page.get_by_role("region", name="Results")


def test_search_finds_by_part_of_name_and_by_email_and_back_restores(page, make_student):
    make_student(name="Ada Lovelace", email="ada@example.edu")
    make_student(name="Alan Turing", email="alan@example.edu")
    make_student(name="Grace Hopper", email="grace@navy.example")
    page.goto("/students/")
    expect(results(page).get_by_role("link")).to_have_count(3)

    search = page.get_by_role("searchbox", name="Search by name, email or number")
    search.fill("lovel")
    expect(results(page).get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(results(page).get_by_role("link")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/students/\?q=lovel$"))

    search.fill("grace@navy")
    expect(results(page).get_by_role("link", name="Grace Hopper")).to_be_visible()
    expect(results(page).get_by_role("link")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=grace%40navy$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"q=lovel$"))
    expect(results(page).get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(results(page).get_by_role("link")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Search by name, email or number")).to_have_value("lovel")


def test_search_without_match_shows_empty_state(page, make_student):
    make_student(name="Ada Lovelace")
    page.goto("/students/")
    page.get_by_role("searchbox", name="Search by name, email or number").fill("zzz")
    expect(page.get_by_text("No student matches “zzz”")).to_be_visible()
