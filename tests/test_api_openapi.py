"""The OpenAPI document: valid, complete, rendered for people, and true (schemathesis)."""
import re

import pytest
import schemathesis
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

# Routes about the document itself, not operations it describes.
DOCUMENTATION_ROUTES = {"/api/openapi.json", "/api/docs"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def document(api):
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_the_document_lists_every_api_route_of_the_app_and_no_other(app, document):
    in_app = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.rule not in DOCUMENTATION_ROUTES:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            in_app |= {(method, path) for method in rule.methods & HTTP_METHODS}
    documented = {(method.upper(), path)
                  for path, operations in document["paths"].items() for method in operations}
    assert documented == in_app
    assert len(documented) == 27


def test_every_operation_documents_its_body_answers_and_errors(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "500" in responses and any(s.startswith("2") for s in responses)
            if method in {"post", "patch"}:
                content = operation["requestBody"]["content"]
                body = content.get("application/json", content.get("multipart/form-data"))
                body = body["schema"]
                assert body["$ref"].startswith("#/components/schemas/")
                assert {"400", "413", "415"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for status, answer in responses.items():
                if status.startswith(("4", "5")):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}


def test_the_document_declares_bearer_auth_and_its_refusals(document):
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            assert ("403" in operation["responses"]) == (method != "get"), (method, path)


def test_the_enrollment_errors_of_the_contract_are_documented(document):
    post = document["paths"]["/api/students/{student_id}/courses"]["post"]
    error = document["components"]["schemas"]["Error"]["properties"]
    assert {"400", "404", "409"} <= set(post["responses"])
    assert {"error", "fields", "unknown_course_ids", "full_course_ids"} <= set(error)
    ids = document["components"]["schemas"]["CourseIds"]["properties"]["course_ids"]
    assert (ids["minItems"], ids["maxItems"]) == (1, 500)


def test_the_docs_page_shows_every_operation_without_scripts_or_cdn(api, document):
    response = api.get("/api/docs")
    page = response.get_data(as_text=True)

    assert response.status_code == 200 and response.mimetype == "text/html"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert f"{method.upper()} {path}" in page
            assert f'id="{operation["operationId"]}"' in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script>" not in page and " style=" not in page


def _schemathesis_config(max_examples, headers):
    # API.md answers some well-formed requests with 400: unknown course ids (enrollments),
    # a term_id that names no term or a meeting that ends before it starts (courses), a
    # term that ends before it starts or a date that does not exist (terms). For those
    # operations 400 joins the statuses "valid data" may get.
    valid_data_statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
    return SchemathesisConfig.from_dict({
        "seed": 20261125,
        "headers": headers,
        # ignored_auth re-sends requests through a path that crashes schemathesis's own WSGI
        # transport (EnvironBuilder got `max_redirects`); tests/test_auth.py checks 401s.
        "checks": {"ignored_auth": {"enabled": False}},
        "generation": {"max-examples": max_examples},
        # Stateful links come from our Location headers. "dependency-analysis" would also
        # link the body's `course_ids` list to the `{course_id}` path parameter and then
        # report DELETE /students/3/courses/[10] -> 404 as a vanished resource.
        "phases": {"stateful": {"inference": {"algorithms": ["location-headers"]}}},
        "operations": [{
            # An upload whose bytes are no OneRoster zip is a 400 (not a bundle) too.
            "include-operation-id": ["enroll_student", "change_student_courses",
                                     "create_course", "update_course", "create_term",
                                     "update_term", "create_import"],
            "checks": {"positive_data_acceptance": {"expected-statuses": valid_data_statuses}},
        }, {
            # API.md answers a `student_id` in the body that names nobody with 404, which
            # this check reads as the course (from a Location link) having vanished.
            "include-operation-id": ["join_waitlist"],
            "checks": {"ensure_resource_availability": {"enabled": False}},
        }],
    })


def test_schemathesis_finds_no_failures_in_any_operation(app, document, api_headers):
    """Every phase (examples, coverage, fuzzing, stateful) over every operation, with every
    default check, response-schema conformance included; bounded to run in seconds."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app,
                                            config=_schemathesis_config(40, api_headers))
    failures, errors, tested = [], [], set()

    for event in from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(str(event.info if hasattr(event, "info") else event))
        if not isinstance(event, events.ScenarioFinished):
            continue
        if event.status in (Status.SUCCESS, Status.FAILURE):
            tested.add(event.label)
        for checks in event.recorder.checks.values():
            failures += [f"{event.label}: {check.name}: {check.failure_info.code_sample}"
                         for check in checks if check.status == Status.FAILURE]

    assert errors == []
    assert failures == []
    operations = {f"{method.upper()} {path}"
                  for path, ops in document["paths"].items() for method in ops}
    assert operations <= tested


def test_terms_conflicts_and_the_override_are_documented(document):
    schemas = document["components"]["schemas"]
    assert {"Term", "TermCreate", "TermUpdate", "TermList", "Meeting", "CourseUpdate",
            "Override", "ScheduleClash", "MissingPrerequisite"} <= set(schemas)
    assert "conflicts" in schemas["Error"]["properties"]
    assert {"term_id", "meetings", "prerequisites"} <= set(schemas["Course"]["properties"])
    assert "override" in schemas["CourseIds"]["properties"]
    assert "override_reason" in schemas["HistoryEvent"]["properties"]
    assert schemas["TermCreate"]["properties"]["starts_on"]["format"] == "date"
    assert "patch" in document["paths"]["/api/courses/{course_id}"]
    assert set(document["paths"]["/api/terms/{term_id}"]) == {"get", "patch", "delete"}


def test_the_import_upload_is_documented_as_multipart_with_its_answers(document):
    post = document["paths"]["/api/imports"]["post"]
    form = post["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload = document["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
    assert (upload["properties"]["file"]["type"], upload["properties"]["file"]["format"]) == (
        "string", "binary")
    assert {"dry_run", "strict"} <= set(upload["properties"]) and upload["required"] == ["file"]
    assert {"202", "400", "413", "415"} <= set(post["responses"])
    job = document["components"]["schemas"]["ImportJob"]["properties"]
    assert {"id", "status", "progress", "report"} <= set(job)
    assert "404" in document["paths"]["/api/imports/{job_id}"]["get"]["responses"]
