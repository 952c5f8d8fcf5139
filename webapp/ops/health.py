"""/healthz for load balancers and monitors: is the app up and does the database answer?"""
from flask import Blueprint, current_app, jsonify

from ..db import db
from ..errors import RETRY_AFTER_SECONDS

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 {"status": "ok"} when the database answers a query, else 503 with Retry-After."""
    try:
        db.execute_sql("SELECT 1").fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
        current_app.logger.warning("health check failed: %s", error)
        return (jsonify(status="unavailable", error="database unavailable"), 503,
                {"Retry-After": str(RETRY_AFTER_SECONDS)})
    return jsonify(status="ok")
