"""/api/students/{id}/history: who changed which enrollment, and when."""
from ..rules import audit, records
from . import schemas
from .core import HISTORY, STUDENT, operation


@operation("GET", STUDENT + "/history", HISTORY, 200, schemas.History, 404)
def student_history(student_id):
    """The student's enrollment changes, newest first: one event per effective change."""
    records.get_student(student_id)
    events = audit.student_history(student_id, limit=None)
    return schemas.History(student_id=student_id,
                           events=[schemas.HistoryEvent.of(event) for event in events])
