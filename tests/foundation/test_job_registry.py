"""The job registry (app/jobs.py): every job resolves, and nothing enqueues around it."""

import ast
import inspect
import re
import string
from pathlib import Path

import pytest
from rq.job import Job

from app import jobs, queues

ROOT = Path(__file__).resolve().parents[2]
ENQUEUING = {"enqueue", "enqueue_in", "enqueue_at", "enqueue_call", "enqueue_many", "enqueue_job"}
DOTTED_JOB = re.compile(r"workers(\.\w+){2,}")


@pytest.mark.parametrize("job", jobs.REGISTRY, ids=lambda job: job.name)
def test_every_registered_job_resolves_to_a_job_function_on_a_known_queue(job):
    func = jobs.resolve(job)
    assert callable(func) and f"{func.__module__}.{func.__name__}" == job.func
    assert job.queue in queues.QUEUE_NAMES
    parameters = set(inspect.signature(func).parameters)
    fields = {name for _, name, _, _ in string.Formatter().parse(job.id_pattern or "") if name}
    assert fields <= parameters, f"{job.name}: its id names arguments the function lacks"
    assert "delay" not in parameters  # jobs.enqueue takes that one for itself


def test_job_names_are_unique():
    names = [job.name for job in jobs.REGISTRY]
    assert len(names) == len(set(names))


def _calls_and_strings(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            callee = ast.unparse(node.func)
            if callee.rpartition(".")[2] in ENQUEUING and callee != "jobs.enqueue":
                yield node.lineno, f"{callee}(…)"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and DOTTED_JOB.fullmatch(node.value):
            yield node.lineno, repr(node.value)


def test_no_module_enqueues_around_the_registry():
    sources = [*ROOT.glob("app/**/*.py"), *ROOT.glob("workers/**/*.py"), ROOT / "wsgi.py"]
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in sources
        if path != ROOT / "app" / "jobs.py"
        for line, what in _calls_and_strings(path)
    ]
    assert found == [], "enqueue through app.jobs (add the job to its registry):\n" + "\n".join(found)


def test_a_job_gets_its_queue_id_and_arguments_from_the_registry(app):
    job = jobs.enqueue(jobs.SEND_MESSAGE, interaction_id="i1", message_id="m1", attempt=2)
    stored = Job.fetch(job.id, connection=queues.get_redis())
    assert (stored.id, stored.origin, stored.func_name) == ("send-m1-2", "outbound", "workers.outbound.send_message")
    assert stored.kwargs == {"interaction_id": "i1", "message_id": "m1", "attempt": 2}
    later = jobs.enqueue(jobs.SEND_MESSAGE, delay=30, interaction_id="i1", message_id="m1", attempt=3)
    assert later.id in queues.get_queue("outbound").scheduled_job_registry.get_job_ids()


def test_a_dotted_name_is_refused(app):
    with pytest.raises(TypeError):
        jobs.enqueue("workers.outbound.send_message", interaction_id="i1", message_id="m1", attempt=1)
