"""Configuration file for `rq cron workers/cron.py`: registers every periodic job."""

from rq import cron

from workers.periodic import register_all

register_all(cron.register)
