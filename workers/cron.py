"""Configuration file for `rq cron workers/cron.py`: registers every periodic job, and logs as
Parley's other processes do (JSON lines in production, see app/observability/logs.py)."""

import logging

from rq import cron

from app.observability import logs
from config import load_config
from workers.periodic import register_all

logs.install(json_lines=load_config().PARLEY_LOG_FORMAT == "json")
# RQ gave its scheduler's logger a handler of its own before reading this file: lines go to the root's instead.
logging.getLogger("rq.cron").handlers.clear()
logging.getLogger("rq.cron").propagate = True

register_all(cron.register)
