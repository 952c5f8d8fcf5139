"""What every API route shares: the blueprint, the OpenAPI spec, `operation`, the
mapping of rule errors to JSON answers, and small answer helpers."""
from json import dumps as to_json

from flask import Blueprint, abort, current_app, request, url_for
from spectree import Response, SecurityScheme, SpecTree, Tag
from spectree.models import SecureType, SecuritySchemeData
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.plugins.werkzeug_utils import flask_response_unpack
from spectree.utils import get_multidict_items
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ..errors import json_error
from ..models import Student
from ..rules import records
from ..rules.enrollment import (
    ConflictingChange,
    CourseFull,
    CourseNotFound,
    EnrollmentConflicts,
    NotEnrolled,
    StudentNotFound,
    UnknownCourses,
    student_enrollments,
)
from ..rules.terms import TermInUse
from ..rules.waitlist import (
    AlreadyEnrolled,
    InvalidPosition,
    NotWaiting,
    SeatsAvailable,
)
from . import schemas

bp = Blueprint("api", __name__, url_prefix="/api")

STUDENT = "/students/<int:student_id>"
COURSE = "/courses/<int:course_id>"
TERM = "/terms/<int:term_id>"

STUDENTS = Tag(name="students", description="Students: create, find, change, delete.")
COURSES = Tag(name="courses", description="Courses (with their term, meeting times and "
                                           "prerequisites) and their rosters.")
TERMS = Tag(name="terms", description="Terms: the date ranges courses belong to.")
ENROLLMENTS = Tag(name="enrollments", description="Which student is in which course.")
HISTORY = Tag(name="history", description="Who changed which enrollment, and when.")
WAITLISTS = Tag(name="waitlists", description="Queues for full courses; a freed seat goes "
                                              "to the next student waiting.")

ERROR_MEANINGS = {
    400: "Malformed or invalid input; `fields` or `unknown_course_ids` say what. "
         "Nothing was written.",
    401: "No valid bearer token: send `Authorization: Bearer <token>` "
         "(make one with `flask --app webapp users token EMAIL`).",
    403: "The token's user is read-only staff; only registrars may change data.",
    404: "No such student, course or term (or, on DELETE, no such enrollment or waitlist "
         "entry).",
    409: "Conflicts with existing data: a duplicate, `full_course_ids` without seats, "
         "`conflicts` (schedule clashes, missing prerequisites: send `override` to enroll "
         "anyway), a term that still has courses, or on a waitlist `already_enrolled` / "
         "`seats_left`. Nothing was written.",
    413: "Body larger than 1 MB (an import's zip: larger than IMPORT_MAX_MB, 200 MB by "
         "default).",
    415: "Body is not `application/json`.",
    500: "Internal error; the body carries the `request_id` to report.",
}
BODY_ERRORS = (400, 413, 415)
# Our bodies nest two levels; far deeper ones only exhaust Python's recursion somewhere
# (the parser, or spectree encoding pydantic's errors, which quote the input).
MAX_JSON_DEPTH = 32
TOO_DEEP = f"The request body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
CHANGE_ERRORS = (404, 409, *BODY_ERRORS)  # a write to a student that may not exist


def _validation_failed(req, resp, error, instance, model_adapter):
    """spectree hook: answer a request that fails its model with our 400 shape."""
    if error is None:
        return
    fields = {}
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "body"
        fields.setdefault(where, schemas.friendly_message(problem))
    summary = "; ".join(f"{where}: {message}" for where, message in fields.items())
    abort(json_error(400, f"invalid request: {summary}", fields=fields))


class ResponseMismatch(Exception):
    """A route answered with something its documented model does not allow (a bug)."""


def _response_invalid(req, resp, error, instance, model_adapter):
    """spectree hook: a response that breaks its model becomes an ordinary 500 (logged
    with traceback, answered {"error": "internal error", "request_id"})."""
    if error is not None:
        raise ResponseMismatch(f"{req.method} {req.path}: {error}") from error


class LeanFlaskPlugin(FlaskPlugin):
    """spectree's Flask plugin, validating the same things without building what no model
    reads: it turned every request's headers, cookies and query string into dicts before
    looking at its models, and answered a documented model through two make_response."""

    def request_validation(self, request, query, json, form, headers, cookies):
        adapter = self.model_adapter
        has_data = request.method not in ("GET", "DELETE")
        form_body = request.mimetype in self.FORM_MIMETYPE
        request.context = Context(
            adapter.validate_obj(query, get_multidict_items(request.args, query))
            if query else None,
            adapter.validate_obj(json, request.get_json(silent=True) or {})
            if json and has_data and not form_body else None,
            adapter.validate_obj(form, self.fill_form(request))
            if form and has_data and form_body else None,
            adapter.validate_obj(headers, dict(iter(request.headers))) if headers else None,
            adapter.validate_obj(cookies, get_multidict_items(request.cookies))
            if cookies else None)

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        """A view's answer that already is an instance of its status's model was validated
        when it was built: it is only serialised. Anything else: spectree's full check."""
        payload, status, headers = flask_response_unpack(resp)
        model = resp_model.find_model(status) if resp_model and not skip_validation else None
        if model is None or type(payload) is not model:
            return super().validate_response(resp, resp_model, skip_validation,
                                             force_resp_serialize)
        return current_app.response_class(payload.model_dump_json(), status=status,
                                          headers=headers, mimetype="application/json"), None


spec = SpecTree(
    "flask", backend=LeanFlaskPlugin, mode="strict", title="Registrar API", version="1.0",
    description="Students, courses and enrollments as JSON. Every error is "
                '`{"error": "<message>", ...details}`; every response carries `X-Request-ID`.',
    validation_error_status=400, validation_error_model=schemas.Error,
    before=_validation_failed, after=_response_invalid,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearerAuth", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer",
        description="An API token from `flask --app webapp users token EMAIL`."))],
    security={"bearerAuth": []})


def answers(status, model=None, *errors, also=()):
    """The documented responses of a route: its success (and `also` other success statuses
    with the same body) and each error it can give."""
    codes = {f"HTTP_{code}": model for code in (status, *also)}
    for code in (*errors, 500):
        codes[f"HTTP_{code}"] = (schemas.Error, ERROR_MEANINGS[code])
    return Response(**codes)


def operation(method, rule, tag, status, model=None, *errors, also=()):
    """Route + request/response validation + OpenAPI entry (operationId = view name).

    `status`/`model` is the success answer (`also`: other success statuses with that body),
    `errors` the error statuses it can give; every route may answer 401, and every write
    403 (read-only staff)."""
    errors = (401, *errors) if method == "GET" else (401, 403, *errors)

    def decorate(view):
        validated = spec.validate(operation_id=view.__name__, tags=[tag],
                                  resp=answers(status, model, *errors, also=also))(view)
        return bp.route(rule, methods=[method])(validated)
    return decorate


# Routes whose body is a file upload (multipart/form-data), not JSON.
MULTIPART_ENDPOINTS = {"api.create_import"}


@bp.before_request
def _require_json_object():
    """Bodies must be a JSON object sent as application/json (an upload: multipart);
    say so precisely."""
    if request.method not in {"POST", "PATCH", "PUT"}:
        return
    if request.endpoint in MULTIPART_ENDPOINTS:
        if request.mimetype != "multipart/form-data":
            raise UnsupportedMediaType("Send the file as 'Content-Type: multipart/form-data' "
                                       "with the zip in the field `file`.")
        return
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as JSON with "
                                   "'Content-Type: application/json'.")
    try:
        body = request.get_json()
    except BadRequest:
        abort(json_error(400, "The request body is not valid JSON."))
    except RecursionError:  # `[[[[…` deeper than Python's parser goes
        abort(json_error(400, TOO_DEEP))
    if not isinstance(body, dict):
        abort(json_error(400, "The request body must be a JSON object."))
    if _nesting_exceeds(body, MAX_JSON_DEPTH):
        abort(json_error(400, TOO_DEEP))
    if not _encodable(body):
        abort(json_error(400, "The request body contains invalid Unicode "
                              "(an unpaired surrogate)."))


def _encodable(body):
    """False when a string holds an unpaired surrogate (valid JSON, but no database
    can store it)."""
    try:
        to_json(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _nesting_exceeds(body, limit):
    """True when lists and objects in `body` nest deeper than `limit` (walked without
    recursion, so any depth is safe to measure)."""
    pending = [(body, 1)]
    while pending:
        value, level = pending.pop()
        if not isinstance(value, (dict, list)):
            continue
        if level > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, level + 1) for child in children)
    return False


# Errors the services raise, in the API's words ---------------------------------------

@bp.errorhandler(records.InvalidRecord)
def _invalid_record(error):
    return json_error(error.status, str(error), fields=error.errors)


@bp.errorhandler(records.RecordNotFound)
@bp.errorhandler(StudentNotFound)
@bp.errorhandler(CourseNotFound)
@bp.errorhandler(NotEnrolled)
@bp.errorhandler(NotWaiting)
def _not_found(error):
    return json_error(404, str(error))


@bp.errorhandler(UnknownCourses)
def _unknown_courses(error):
    return json_error(400, str(error), unknown_course_ids=error.course_ids)


@bp.errorhandler(CourseFull)
def _course_full(error):
    return json_error(409, str(error), full_course_ids=error.course_ids)


@bp.errorhandler(AlreadyEnrolled)
def _already_enrolled(error):
    return json_error(409, str(error), already_enrolled=True)


@bp.errorhandler(SeatsAvailable)
def _seats_available(error):
    return json_error(409, str(error), seats_left=error.seats_left)


@bp.errorhandler(InvalidPosition)
def _invalid_position(error):
    return json_error(400, str(error), fields={"position": "Must be 1 or more."})


@bp.errorhandler(EnrollmentConflicts)
def _enrollment_conflicts(error):
    details = {"conflicts": [conflict.as_json() for conflict in error.conflicts]}
    if error.full_course_ids:
        details["full_course_ids"] = error.full_course_ids
    return json_error(409, str(error), **details)


@bp.errorhandler(TermInUse)
def _term_in_use(error):
    return json_error(409, str(error))


@bp.errorhandler(ConflictingChange)
def _conflicting_change(error):
    return json_error(400, str(error), conflicting_course_ids=error.course_ids)


def page_of(query, params, item, page_model):
    rows = query.paginate(params.page, params.per_page)
    return page_model(items=[item(row) for row in rows], page=params.page,
                      per_page=params.per_page, total=query.count())


def created(answer, endpoint, **ids):
    """201 with the new record and, in `Location`, where to read it."""
    return answer, 201, {"Location": url_for(endpoint, **ids)}


def student_of(student_id):
    """The student with their course count, or RecordNotFound."""
    row = Student.search().where(Student.id == student_id).first()
    if row is None:
        raise records.RecordNotFound("student", student_id)
    return schemas.Student.of(row)


def enrollments_of(student_id):
    return [schemas.Enrollment.of(course) for course in student_enrollments(student_id)]
