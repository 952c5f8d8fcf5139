"""The Import page: upload → preview (a dry-run job) → Apply → result; refusals, staff,
export, the polled fragment and the jobs a dead runner left. Jobs run in immediate mode."""
import csv
import io
import os
import zipfile

import pytest

from webapp.models import ImportJob, Student, StudentCourse
from webapp.oneroster import import_jobs as imports

from .roster_bundles import bundle_zip, make_job, traversal_zip


@pytest.fixture
def app_settings(tmp_path):
    return {"IMPORTS_DIR": str(tmp_path / "imports")}


@pytest.fixture
def imports_dir(app):
    from pathlib import Path
    return Path(app.config["IMPORTS_DIR"])


def upload(client, data, name="roster.zip", **form):
    return client.post("/imports/", data={"file": (io.BytesIO(data), name), **form},
                       content_type="multipart/form-data")


def page(response):
    return response.get_data(as_text=True)


def test_the_page_offers_upload_export_and_says_there_are_no_imports_yet(client):
    response = client.get("/imports/")
    text = page(response)
    assert response.status_code == 200
    assert 'href="/imports/"' in text and ">Import</a>" in text  # the nav link
    assert 'type="file" name="file"' in text and 'name="strict"' in text
    assert "No imports yet" in text
    assert '<option value="1.1">' in text and '<option value="1.2">' in text


def test_staff_get_403_and_no_nav_link(staff_client):
    assert staff_client.get("/imports/").status_code == 403
    assert upload(staff_client, bundle_zip()).status_code == 403
    assert staff_client.get("/imports/export").status_code == 403
    assert 'href="/imports/"' not in page(staff_client.get("/students/"))


def test_upload_previews_then_apply_imports_and_shows_the_result(client, imports_dir):
    response = upload(client, bundle_zip(students=3, classes=2, per_student=2))
    assert response.status_code == 303
    preview_url = response.headers["Location"]

    text = page(client.get(preview_url))
    assert "Preview only: nothing has been imported yet" in text
    assert Student.select().count() == 0  # a preview writes nothing
    counts = text[text.index("import-counts"):]
    assert '<th scope="row">Students</th>\n        <td class="num">3</td>' in counts
    assert '<th scope="row">Enrollments</th>\n        <td class="num">6</td>' in counts
    assert 'value="100">100 %' in text
    assert "allow_removals" not in text  # the guard did not stop it
    stored = list(imports_dir.iterdir())
    assert len(stored) == 1 and stored[0].stat().st_mode & 0o777 == 0o600

    preview = ImportJob.get()
    response = client.post(f"/imports/{preview.id}/apply")
    assert response.status_code == 303
    text = page(client.get(response.headers["Location"]))

    assert "Imported: the changes below are saved." in text
    assert Student.select().count() == 3 and StudentCourse.select().count() == 6
    job = ImportJob.get_by_id(preview.id + 1)
    assert (job.status, job.dry_run, job.progress, job.exit_code) == ("done", False, 1, 0)
    listed = page(client.get("/imports/"))
    assert listed.count("roster.zip") == 2 and "Preview" in listed and "done" in listed


def test_errors_are_listed_with_file_line_and_column_and_download_as_csv(client):
    job_url = upload(client, bundle_zip(students=2, classes=1, per_student=1,
                                        bad_enrollments=2)).headers["Location"]
    text = page(client.get(job_url))
    assert text.count('class="problem-error"') == 2
    assert "enrollments.csv" in text

    job = ImportJob.get()
    response = client.get(f"/imports/{job.id}/problems.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # Excel reads UTF-8 by the BOM
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="import-{job.id}-problems.csv"; '
        f"filename*=UTF-8''import-{job.id}-problems.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["kind", "file", "line", "column", "message"]
    errors = [row for row in rows[1:] if row[0] == "error"]
    assert [(row[1], row[2]) for row in errors] == [("enrollments.csv", "4"),
                                                    ("enrollments.csv", "5")]
    assert all(row[4] for row in errors)


def test_a_formula_in_a_message_is_not_run_by_a_spreadsheet():
    from webapp.pages.exports import cell
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert (cell("plain"), cell(None), cell(3)) == ("plain", "", "3")


@pytest.mark.parametrize("data, name, message", [
    (b"just some text", "roster.zip", "roster.zip: "),
    (traversal_zip(), "evil.zip", "evil.zip: "),
])
def test_an_upload_that_is_no_bundle_is_refused_on_the_page_and_nothing_written(
        client, imports_dir, db_snapshot, data, name, message):
    before = db_snapshot()
    response = upload(client, data, name)
    text = page(response)
    assert response.status_code == 400
    assert message in text and "Nothing was imported." in text and 'role="alert"' in text
    assert db_snapshot() == before
    assert not imports_dir.exists() or list(imports_dir.iterdir()) == []


def test_no_file_chosen_is_explained(client):
    response = client.post("/imports/", data={"strict": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a OneRoster zip file to upload." in page(response)
    assert ImportJob.select().count() == 0


class TestTooLarge:
    @pytest.fixture
    def app_settings(self, tmp_path):
        return {"IMPORTS_DIR": str(tmp_path / "imports"), "IMPORT_MAX_BYTES": 4096}

    def test_a_zip_over_the_limit_is_413_with_a_message_and_nothing_written(
            self, client, imports_dir, db_snapshot):
        before = db_snapshot()
        response = upload(client, os.urandom(8192))
        assert response.status_code == 413
        assert "The file is larger than 4 KB, the most an upload may be. Nothing was " \
            "imported." in page(response)
        assert db_snapshot() == before and not imports_dir.exists()

    def test_other_forms_keep_the_small_limit(self, client):
        big = "x" * (2 * 1024 * 1024)
        assert client.post("/students/new", data={"name": big}).status_code == 413


def test_a_queued_job_polls_itself_and_offers_a_refresh_without_js(client):
    job = make_job("queued")
    fragment = page(client.get(f"/imports/{job.id}/status", headers={"HX-Request": "true"}))
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment and f'hx-get="/imports/{job.id}/status"' in fragment
    assert "Waiting for the job runner" in fragment and ">Refresh</button>" in fragment
    assert '<progress id="import-progress-bar" max="100" value="0">' in fragment


def test_a_running_job_shows_its_live_progress(client):
    job = make_job("running")
    imports.heartbeat(job.id, 0.42)
    fragment = page(client.get(f"/imports/{job.id}/status"))
    assert 'value="42">42 %' in fragment and "Running…" in fragment
    assert 'hx-trigger="every 1s"' in fragment


def test_a_finished_job_stops_the_polling(client):
    upload(client, bundle_zip())
    fragment = page(client.get(f"/imports/{ImportJob.get().id}/status"))
    assert "hx-trigger" not in fragment and "Refresh" not in fragment


def test_a_job_whose_runner_died_is_failed_when_read_and_runs_again(client, imports_dir):
    stored = imports.store_upload(io.BytesIO(bundle_zip(students=2)), imports_dir)
    job = make_job("running", stored_path=str(stored), dry_run=False)  # no heartbeat: dead

    text = page(client.get(f"/imports/{job.id}"))
    assert "stopped before it finished" in text and "Nothing was changed" in text
    assert ImportJob.get_by_id(job.id).status == "failed"
    assert Student.select().count() == 0

    response = client.post(f"/imports/{job.id}/run-again")
    assert response.status_code == 303
    assert "Imported: the changes below are saved." in page(client.get(response.headers["Location"]))
    assert Student.select().count() == 2


def test_only_a_finished_preview_can_be_applied(client):
    job = make_job("failed")
    response = client.post(f"/imports/{job.id}/apply", follow_redirects=True)
    assert "Only a finished preview can be applied." in page(response)
    assert ImportJob.select().count() == 1


def test_an_unknown_job_is_404(client):
    assert client.get("/imports/999").status_code == 404
    assert client.post("/imports/999/apply").status_code == 404


def test_strict_preview_with_errors_offers_no_apply(client):
    job_url = upload(client, bundle_zip(bad_enrollments=1), strict="1").headers["Location"]
    text = page(client.get(job_url))
    assert "Nothing would be imported" in text and ">Apply</button>" not in text
    assert ImportJob.get().strict


def test_the_removal_guard_asks_for_the_checkbox_and_apply_with_it_removes(client):
    upload(client, bundle_zip(students=4, classes=2, per_student=2))
    client.post(f"/imports/{ImportJob.get().id}/apply")
    assert StudentCourse.select().count() == 8

    job_url = upload(client, bundle_zip(students=4, classes=2, per_student=1)).headers["Location"]
    text = page(client.get(job_url))
    assert 'name="allow_removals"' in text and "Allow removals" in text
    preview_id = int(job_url.rsplit("/", 1)[1])

    client.post(f"/imports/{preview_id}/apply", data={"allow_removals": "1"})
    assert StudentCourse.select().count() == 4


def test_export_downloads_a_zip_in_the_version_asked_for(client):
    upload(client, bundle_zip())
    client.post(f"/imports/{ImportJob.get().id}/apply")
    response = client.get("/imports/export?version=1.1")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "manifest.csv" in names and "users.csv" in names

    refused = client.get("/imports/export?version=9")
    assert refused.status_code == 400 and "Choose OneRoster version" in page(refused)
