"""The home page: what Registrar holds right now, and where to go next."""
from flask import Blueprint, render_template

from ..models import Course, Student, StudentCourse

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    counts = {"students": Student.select().count(),
              "courses": Course.select().count(),
              "enrollments": StudentCourse.select().count()}
    return render_template("main/home.html", counts=counts)
