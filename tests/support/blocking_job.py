"""A job for worker-process tests that needs no database: it records its start in Redis, waits
until the test releases it, then records its end. A worker process imports it by its dotted path."""

from rq import get_current_job

FUNC = "tests.support.blocking_job.wait_for_release"
RECORD = "test:blocking-job:record"


def release_key(job_id):
    return f"test:blocking-job:release:{job_id}"


def records(connection):
    """What the job's runs recorded, oldest first: "started <job id>", "finished <job id>"."""
    return [entry.decode() for entry in connection.lrange(RECORD, 0, -1)]


def release(connection, job_id):
    connection.rpush(release_key(job_id), "go")


def wait_for_release():
    job = get_current_job()
    connection = job.connection
    connection.rpush(RECORD, f"started {job.id}")
    if connection.blpop([release_key(job.id)], timeout=120) is None:
        return "never released"
    connection.rpush(RECORD, f"finished {job.id}")
    return "released"
