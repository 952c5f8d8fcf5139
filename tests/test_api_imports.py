"""POST /api/imports (multipart) and GET /api/imports/{id}, jobs in immediate mode."""
import io
import os

import pytest

from webapp.models import ImportJob, Student, StudentCourse

from .roster_bundles import bundle_zip, traversal_zip


@pytest.fixture
def app_settings(tmp_path):
    return {"IMPORTS_DIR": str(tmp_path / "imports"), "IMPORT_MAX_BYTES": 64 * 1024}


def post_import(api, data, name="roster.zip", headers=None, **form):
    return api.post("/api/imports", data={"file": (io.BytesIO(data), name), **form},
                    content_type="multipart/form-data", headers=headers or {})


def test_a_dry_run_is_accepted_and_its_report_read_back(api):
    response = post_import(api, bundle_zip(students=3, classes=2, per_student=2),
                           dry_run="true")
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) == {"id", "status"} and body["status"] == "done"  # immediate mode
    assert response.headers["Location"].endswith(f"/api/imports/{body['id']}")

    job = api.get(f"/api/imports/{body['id']}")
    answer = job.get_json()
    assert job.status_code == 200
    assert (answer["status"], answer["progress"]) == ("done", 1)
    report = answer["report"]
    assert (report["dry_run"], report["applied"]) == (True, False)
    assert report["created"]["students"] == 3 and report["created"]["enrollments"] == 6
    assert report["errors"] == []
    assert Student.select().count() == 0


def test_an_import_applies_and_reports_its_problems(api):
    response = post_import(api, bundle_zip(students=2, classes=1, per_student=1,
                                           bad_enrollments=1))
    report = api.get(f"/api/imports/{response.get_json()['id']}").get_json()["report"]
    assert report["applied"] is True
    assert Student.select().count() == 2 and StudentCourse.select().count() == 2
    [error] = report["errors"]
    assert (error["file"], error["line"]) == ("enrollments.csv", 4) and error["message"]


def test_strict_with_errors_applies_nothing(api):
    response = post_import(api, bundle_zip(bad_enrollments=1), strict="true")
    report = api.get(f"/api/imports/{response.get_json()['id']}").get_json()["report"]
    assert report["applied"] is False and report["errors"]
    assert Student.select().count() == 0


@pytest.mark.parametrize("data", [b"not a zip at all", traversal_zip()])
def test_not_a_bundle_is_400_and_nothing_written(api, app, db_snapshot, data):
    before = db_snapshot()
    response = post_import(api, data)
    assert response.status_code == 400
    assert response.get_json()["error"] and "file" in response.get_json()["fields"]
    assert db_snapshot() == before
    assert not os.path.exists(app.config["IMPORTS_DIR"]) or \
        os.listdir(app.config["IMPORTS_DIR"]) == []


def test_too_large_is_413_with_the_limit(api, db_snapshot):
    before = db_snapshot()
    response = post_import(api, os.urandom(80 * 1024))
    assert response.status_code == 413
    assert response.get_json()["error"].startswith("The file is larger than 64 KB")
    assert db_snapshot() == before


def test_a_json_body_is_415_and_a_missing_file_400(api):
    response = api.post("/api/imports", json={"file": "x"})
    assert response.status_code == 415 and "multipart/form-data" in response.get_json()["error"]
    response = api.post("/api/imports", data={"dry_run": "true"},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    response = api.post("/api/imports", data={"file": "text, not a file"},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    assert ImportJob.select().count() == 0


def test_a_bad_flag_is_400(api):
    response = post_import(api, bundle_zip(), dry_run="maybe")
    assert response.status_code == 400 and "dry_run" in response.get_json()["fields"]


def test_staff_may_not_import_but_may_read(app, staff_api_headers, api):
    staff = app.test_client()
    response = post_import(staff, bundle_zip(), headers=staff_api_headers)
    assert response.status_code == 403
    job_id = post_import(api, bundle_zip(), dry_run="true").get_json()["id"]
    assert staff.get(f"/api/imports/{job_id}", headers=staff_api_headers).status_code == 200


def test_an_unknown_job_is_404(api):
    response = api.get("/api/imports/12345")
    assert response.status_code == 404 and response.get_json()["error"]


def test_a_job_left_running_by_a_dead_runner_reads_failed(api):
    job = ImportJob.create(filename="r.zip", stored_path="/nowhere.zip", dry_run=False,
                           strict=False, allow_removals=False, status="running")
    answer = api.get(f"/api/imports/{job.id}").get_json()
    assert answer["status"] == "failed" and answer["report"] is None
    assert "stopped before it finished" in answer["error"]


def test_a_form_part_without_a_readable_name_is_a_400_not_a_crash(api, db_snapshot):
    """Found by schemathesis: a multipart part whose name werkzeug cannot read arrives with
    the name None, and the NUL guard in front of every request must not trip over it."""
    before = db_snapshot()
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="a\r\n\r\n{{}}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="strict"\r\n\r\ntrue\r\n'
            f'--{boundary}--\r\n').encode()
    response = api.post("/api/imports", data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and "file" in response.get_json()["fields"]
    assert db_snapshot() == before
