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


def _cache():
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()


# What the app cannot serve without (503), and what only makes it slower (200, degraded):
# a load balancer should not take every process out because the shared cache is down.
REQUIRED = ("database", "queue")
OPTIONAL = ("cache",)


@never_cache
@require_GET
def health(request):
    results = {}
    for name in (*REQUIRED, *OPTIONAL):
        try:
            globals()[f"_{name}"]()  # looked up now, so a test can stand one in
            results[name] = "ok"
        except Exception:  # any failure counts; the log says which
            logger.exception("health check failed: %s", name)
            results[name] = "failing" if name in REQUIRED else "degraded"
    if any(results[name] == "failing" for name in REQUIRED):
        status = "failing"
    elif any(results[name] != "ok" for name in OPTIONAL):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **results}, status=503 if status == "failing" else 200)
