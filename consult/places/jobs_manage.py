"""The site admins' page of background jobs that failed for good (consult/core/jobs.py).

Registered on ``places_manage``'s blueprint (imported at the end of manage.py).
"""

from __future__ import annotations

from flask import current_app, render_template

from consult.core import jobs
from consult.places.access import site_admin_required
from consult.places.manage import bp


@bp.get("/site/jobs")
@site_admin_required
def failed_jobs():
    """Jobs that failed after their retries: name, arguments, the error's last line, when."""
    app = current_app._get_current_object()
    return render_template("manage/jobs.html", failures=jobs.failures(app), queued=jobs.connection(app) is not None)
