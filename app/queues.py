"""Redis connections and the RQ queues, named by purpose."""

from functools import cache, lru_cache

from redis import Redis
from rq import Queue

# inbound: applying accepted webhooks; outbound: sends to providers; media: downloads and
# conversions; sentiment: the interactions' sentiment from their new messages' scores (one job per
# drain round, kept apart so that it never delays the messages themselves); maintenance: periodic
# jobs such as the 24 h window check;
# assistant: the AI assistant's answers (each may wait for its endpoint up to PARLEY_ASSISTANT_TIMEOUT);
# campaigns: a campaign's sends, each job running until its campaign is paused or done.
QUEUE_NAMES = ("inbound", "outbound", "media", "sentiment", "maintenance", "assistant", "campaigns", "routing")

#: Seconds within which an idle RQ worker of Parley's beats again (it waits for a job 15 s less):
#: readiness (app/services/health.py) takes a worker silent for this plus 60 s as dead.
WORKER_TTL_SECONDS = 60

_state = {"url": None, "timeout": None}


def configure(redis_url, timeout=None):
    """`timeout`: seconds a call waits for Redis's answer (None: no limit) on the connection that
    requests and jobs use; the workers' own connection has none (see worker_redis)."""
    _state["url"], _state["timeout"] = redis_url, timeout


def redis_url():
    if not _state["url"]:
        raise RuntimeError("REDIS_URL is not configured: call create_app() first")
    return _state["url"]


@lru_cache(maxsize=8)
def _connection(url, timeout):
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=timeout, health_check_interval=30)


def get_redis():
    """The connection of requests and jobs: a call Redis does not answer in time raises TimeoutError."""
    return _connection(redis_url(), _state["timeout"])


def worker_redis():
    """The connection an RQ worker waits for jobs on: its BLPOP blocks longer than any short timeout."""
    return _connection(redis_url(), None)


#: Deletes a lock key only while it holds the caller's token (a lock that expired and was taken by
#: another process is left to it): ``run_script(RELEASE_IF_MINE, [key], [token])``.
RELEASE_IF_MINE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def run_script(source, keys, args, client=None):
    """Run the Lua `source` on Redis (EVALSHA, loading it once), its digest computed once per process;
    `client`: a pipeline to queue it on instead (its result comes with the pipeline's)."""
    return _script(source)(keys=keys, args=args, client=client if client is not None else get_redis())


@cache
def _script(source):
    return get_redis().register_script(source)


def get_queue(name):
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=get_redis())


def ping(timeout=1.0):
    """Raise if Redis does not answer within `timeout` seconds."""
    Redis.from_url(redis_url(), socket_connect_timeout=timeout, socket_timeout=timeout).ping()
