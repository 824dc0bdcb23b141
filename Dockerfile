# One image for every role of Parley; compose.yaml picks the command:
#   web    python wsgi.py                                 (Socket.IO server, gevent; the default)
#   worker python -m workers.worker [queue…]               (RQ worker with its scheduler)
#   cron   rq cron workers/cron.py --url "$REDIS_URL"      (periodic jobs: exactly one)
#   init   flask --app wsgi init-db                        (indexes, before a new version starts)
# The Python is the one the test suite runs on; bump the tag and run the tests to move it.
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

# Builder: compilers for any requirement without a wheel for this platform, wheels built once,
# installed into a virtualenv that the final stage copies whole (no compiler, no wheel cache).
FROM ${PYTHON_IMAGE} AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /build/requirements.txt
RUN pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /build/wheels -r /build/requirements.txt \
 && python -m venv /opt/parley \
 && /opt/parley/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /build/wheels -r /build/requirements.txt

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/parley/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PARLEY_CONFIG=production \
    PARLEY_HOST=0.0.0.0 \
    PARLEY_PORT=5000
# A user of its own: the code belongs to root and is only read; the process writes nothing to disk.
RUN groupadd --system --gid 10001 parley \
 && useradd --system --uid 10001 --gid parley --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin parley
COPY --from=builder /opt/parley /opt/parley
WORKDIR /app
COPY requirements.txt wsgi.py ./
COPY config/__init__.py config/__init__.py
COPY workers workers
COPY app app
RUN python -m compileall -q /app
USER parley:parley
EXPOSE 5000
# Liveness of the web role (/healthz); compose gives the other roles checks of their own.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PARLEY_PORT', '5000'), timeout=4)"]
CMD ["python", "wsgi.py"]
