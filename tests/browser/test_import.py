"""The Import page in a browser, with a real job consumer: upload → preview → Apply →
the progress bar (polled by htmx) reaches 100 % → the result; axe on both pages."""
import pytest
from playwright.sync_api import expect

from tests.roster_bundles import write_bundle
from tests.server.harness import HueyConsumer
from webapp.models import Student, StudentCourse
from webapp.ops import jobs

from .test_accessibility import assert_no_violations

STUDENTS = 400


@pytest.fixture
def consumer(live_app, live_db_path, tmp_path):
    """Jobs go to a huey file that a consumer process serves (not immediate mode)."""
    settings = {**live_app.config, "JOBS_IMMEDIATE": False,
                "JOBS_DB": str(tmp_path / "jobs.db")}
    jobs.configure(settings)
    running = HueyConsumer(tmp_path / "consumer.log", f"sqlite:///{live_db_path}",
                           settings["JOBS_DB"]).start()
    yield running
    running.stop()
    jobs.configure(live_app.config)


def test_upload_preview_apply_and_watch_the_progress_reach_100(page, consumer, tmp_path):
    bundle = write_bundle(tmp_path / "roster.zip", students=STUDENTS, classes=8, per_student=2)
    page.goto("/imports/")
    expect(page.get_by_text("No imports yet")).to_be_visible()
    assert_no_violations(page)

    page.get_by_label("OneRoster zip file").set_input_files(str(bundle))
    page.get_by_role("button", name="Preview import").click()

    expect(page.get_by_role("heading", name="Preview of roster.zip")).to_be_visible()
    expect(page.get_by_text("Preview only: nothing has been imported yet")).to_be_visible(
        timeout=30_000)
    counts = page.locator(".import-counts")
    expect(counts.get_by_role("row", name="Students")).to_contain_text(str(STUDENTS))
    assert_no_violations(page)
    assert Student.select().count() == 0

    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("heading", name="Import of roster.zip")).to_be_visible()
    expect(page.get_by_text("Imported: the changes below are saved.")).to_be_visible(
        timeout=30_000)
    expect(page.locator("#import-progress-bar")).to_have_attribute("value", "100")
    expect(page.locator(".import-progress span")).to_have_text("100 %")
    assert_no_violations(page)
    assert Student.select().count() == STUDENTS
    assert StudentCourse.select().count() == STUDENTS * 2

    page.get_by_role("link", name="← Import and export").click()
    expect(page.get_by_role("row", name="roster.zip")).to_have_count(2)
