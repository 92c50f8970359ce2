"""The scale path: background tasks queued on Redis and run by an RQ worker."""

import os

import pytest
import redis
from django.tasks import task
from django.test import override_settings

REDIS_URL = "redis://127.0.0.1:6379/14"


@task
def count_words(text):
    return len(text.split())


def _redis_or_skip():
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Redis on 127.0.0.1:6379 for the task-queue test")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return connection


@override_settings(
    RQ_QUEUES={"default": {"URL": REDIS_URL}},
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
)
def test_a_task_enqueued_through_djangos_api_runs_on_an_rq_worker():
    from django_rq import get_queue
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    connection = _redis_or_skip()
    connection.flushdb()
    try:
        result = count_words.enqueue("Stop facial recognition surveillance now")
        assert result.status == "READY"

        queue = get_queue("default", job_class=Job)
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

        finished = count_words.get_result(result.id)
        assert finished.status == "SUCCESSFUL"
        assert finished.return_value == 5
    finally:
        connection.flushdb()
