"""GET /health/: is this app process able to serve? Used by load balancers and `make serve`.

Operational plumbing, not domain logic, so it sits beside the settings it checks.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _queue():
    if settings.TASKS_BACKEND == "rq":
        import django_rq

        django_rq.get_connection("default").ping()
    elif settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.exists()


@never_cache
@require_GET
def health(request):
    results = {}
    for name, check in (("database", _database), ("queue", _queue)):
        try:
            check()
            results[name] = "ok"
        except Exception:  # any failure means "not healthy"; the log says which
            logger.exception("health check failed: %s", name)
            results[name] = "failing"
    healthy = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **results}, status=200 if healthy else 503
    )
