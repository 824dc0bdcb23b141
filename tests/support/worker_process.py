"""`python -m tests.support.worker_process <queue>…`: Parley's worker (workers.worker.run: RQ's
forking worker, with the scheduler) on the testing configuration.

`python -m workers.worker` refuses the embedded database, whose data a separate process cannot
see; a job that needs no database (tests/support/blocking_job.py) runs the same way in either."""

import sys

from app import create_app
from workers import worker

if __name__ == "__main__":
    worker.run(create_app("testing"), sys.argv[1:])
