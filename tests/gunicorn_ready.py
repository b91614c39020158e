"""Gunicorn settings for tests (``-c``): each worker says when it can answer, so a test
waits for all of them instead of for the first one (the others may still be loading)."""

READY = "krsd test worker ready"


def post_worker_init(worker):
    worker.log.info(READY)
