"""The container files: compose.yaml as `docker-compose config` resolves it (Debian's docker-compose,
installed when missing), the Dockerfile's text, .dockerignore and deploy/generate-secrets.

No container runs here (no image can be pulled on this machine): these tests check that the files
describe the production topology the README documents, and keep describing it.
"""

import fnmatch
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from config import ProductionConfig

ROOT = Path(__file__).resolve().parents[2]
# Each secret file compose mounts, and the variable that gives Parley its path.
SECRET_FILES = {
    "secret_key": "PARLEY_SECRET_KEY_FILE",
    "encryption_key": "PARLEY_ENCRYPTION_KEY_FILE",
    "metrics_token": "PARLEY_METRICS_TOKEN_FILE",
}
PARLEY_SERVICES = ("init", "web1", "web2", "worker1", "worker2", "cron")
MONGO_MEMBERS = ("mongo1", "mongo2", "mongo3")
# Environment names that hold a secret: compose must pass them as files (NAME_FILE), never as values.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|ENCRYPTION_KEY")


def ensure_docker_compose():
    if shutil.which("docker-compose") is None:
        subprocess.run([str(ROOT / "config" / "apt-install"), "--no-install-recommends", "docker-compose"], check=True)
    return shutil.which("docker-compose")


@pytest.fixture(scope="module")
def compose():
    """The model `docker-compose config` resolves, with none of the operator's variables set."""
    result = subprocess.run(
        [ensure_docker_compose(), "--project-directory", str(ROOT), "-f", str(ROOT / "compose.yaml"), "config"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def dockerfile_stages():
    """The Dockerfile as a list of stages, each a list of (instruction, arguments), lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((instruction.upper(), " ".join(arguments.split())))
    return stages


def command(service):
    return " ".join(service["command"])


def test_mongodb_is_a_three_member_replica_set_initiated_before_anything_uses_it(compose):
    services = compose["services"]
    volumes = set()
    for name in MONGO_MEMBERS:
        member = services[name]
        assert "--replSet rs0" in command(member)
        assert member["healthcheck"]["test"][0] == "CMD"
        assert member["restart"] == "unless-stopped"
        volumes |= {v.split(":")[0] for v in member["volumes"] if v.endswith("/data/db:rw")}
    assert len(volumes) == 3, "each member keeps its data in a volume of its own"
    init = services["mongo-init"]
    assert init["restart"] == "no"
    assert init["depends_on"] == {name: {"condition": "service_healthy"} for name in MONGO_MEMBERS}
    script = init["volumes"][0].split(":")[0]
    assert Path(script) == ROOT / "deploy" / "mongo" / "init-replica-set.js" and Path(script).is_file()
    assert Path(script).name in command(init)
    text = Path(script).read_text()
    assert "rs.initiate" in text and "primary" in text
    assert all(f"{name}:27017" in text for name in MONGO_MEMBERS)
    assert not any(name.startswith("mongo") and name not in (*MONGO_MEMBERS, "mongo-init") for name in services)


def test_redis_keeps_an_append_only_file_in_a_volume(compose):
    redis = compose["services"]["redis"]
    args = redis["command"]
    for option, value in (("--appendonly", "yes"), ("--appendfsync", "everysec"), ("--maxmemory-policy", "noeviction")):
        assert args[args.index(option) + 1] == value
    assert any(v.endswith(":/data:rw") and not v.startswith("/") for v in redis["volumes"]), "a named volume"
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_every_parley_process_starts_after_init_created_the_indexes(compose):
    services = compose["services"]
    init = services["init"]
    assert init["command"] == ["flask", "--app", "wsgi", "init-db"] and init["restart"] == "no"
    assert init["depends_on"]["mongo-init"] == {"condition": "service_completed_successfully"}
    assert init["depends_on"]["redis"] == {"condition": "service_healthy"}
    for name in PARLEY_SERVICES[1:]:
        assert services[name]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}, name


def test_the_roles_run_one_image_with_their_commands(compose):
    services = compose["services"]
    assert {services[name]["image"] for name in PARLEY_SERVICES} == {"parley:local"}
    assert all(services[name]["build"]["context"] == str(ROOT) for name in PARLEY_SERVICES)
    workers = [name for name, s in services.items() if s.get("command") == ["python", "-m", "workers.worker"]]
    assert workers == ["worker1", "worker2"]
    crons = [name for name, s in services.items() if "rq cron workers/cron.py --url" in " ".join(s.get("command", []))]
    assert crons == ["cron"], "exactly one cron process"
    assert '"$$REDIS_URL"' in command(services["cron"]), "the container's REDIS_URL, not one from the host"
    for name in ("worker1", "worker2"):
        assert services[name]["stop_grace_period"] == "200s", "past RQ's 180 s job timeout before a SIGKILL"


def test_two_web_processes_listen_for_the_proxy_and_reach_the_replica_set(compose):
    for name in ("web1", "web2"):
        web = compose["services"][name]
        env = web["environment"]
        assert web["command"] == ["python", "wsgi.py"]
        assert env["PARLEY_CONFIG"] == "production" and env["PARLEY_PORT"] == "5000"
        assert env["PARLEY_HOST"] == "0.0.0.0"  # noqa: S104 (all interfaces of its own container)
        assert env["PARLEY_PROXY_COUNT"] == "1"
        assert env["PARLEY_PUBLIC_URL"] == "http://localhost:8080"
        assert env["MONGO_URI"].startswith("mongodb://mongo1:27017,mongo2:27017,mongo3:27017/")
        assert env["MONGO_URI"].endswith("?replicaSet=rs0")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert "healthcheck" not in web, "the image's HEALTHCHECK (/healthz) applies"
        assert web["restart"] == "unless-stopped"


def test_nginx_fronts_both_web_processes_with_the_shared_config(compose):
    nginx = compose["services"]["nginx"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-\w+", nginx["image"])
    assert nginx["ports"] == [{"published": 8080, "target": 80}]
    assert nginx["volumes"] == [f"{ROOT}/deploy/nginx/parley.conf:/etc/nginx/conf.d/default.conf:ro"]
    assert set(nginx["depends_on"]) == {"web1", "web2"}
    assert nginx["healthcheck"]["test"][0] == "CMD"
    published = [name for name, service in compose["services"].items() if service.get("ports")]
    assert published == ["nginx"], "only the proxy is reachable from outside"


def test_databases_sit_on_an_internal_network_and_every_long_running_service_restarts(compose):
    services = compose["services"]
    assert compose["networks"]["data"]["internal"] is True
    for name in (*MONGO_MEMBERS, "mongo-init", "redis"):
        assert set(services[name]["networks"]) == {"data"}, name
    for name, service in services.items():
        one_shot = name in ("init", "mongo-init")
        assert service["restart"] == ("no" if one_shot else "unless-stopped"), name
        if one_shot or name in ("worker1", "worker2", "cron"):
            assert service.get("healthcheck", {"test": ["NONE"]})["test"] == ["NONE"], name
        else:
            assert name.startswith("web") or service["healthcheck"]["test"][0] == "CMD", name


def test_every_image_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        if name in PARLEY_SERVICES:
            continue
        repository, _, tag = service["image"].partition(":")
        assert re.match(r"\d+\.\d+\.\d+", tag), f"{name}: {service['image']} is not pinned"


def test_secrets_reach_the_processes_as_files_and_never_as_values(compose):
    files = {name: Path(secret["file"]) for name, secret in compose["secrets"].items()}
    assert files == {name: ROOT / "deploy" / "secrets" / name for name in SECRET_FILES}
    for path in files.values():
        assert subprocess.run(["git", "check-ignore", "-q", str(path)], cwd=ROOT).returncode == 0, f"{path} is git-ignored"
    for name in PARLEY_SERVICES:
        service = compose["services"][name]
        assert [s["source"] for s in service["secrets"]] == list(SECRET_FILES)
        for secret, variable in SECRET_FILES.items():
            assert service["environment"][variable] == f"/run/secrets/{secret}", f"{name}: {variable}"
    for name, service in compose["services"].items():
        for variable, value in service.get("environment", {}).items():
            assert not SECRET_NAME.search(variable) or variable.endswith("_FILE"), f"{name}: {variable} holds a secret"
            assert not re.search(r"://[^/@]*:[^/@]*@", str(value)), f"{name}: {variable} carries a password"


def test_the_secrets_generated_for_compose_are_what_production_accepts(tmp_path, monkeypatch):
    secrets_dir = tmp_path / "secrets"
    subprocess.run([str(ROOT / "deploy" / "generate-secrets"), str(secrets_dir)], check=True, capture_output=True)
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    first = {}
    for name in SECRET_FILES:
        path = secrets_dir / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, "readable by the container's own user"
        first[name] = path.read_text()
    Fernet(first["encryption_key"].strip().encode())  # a valid Fernet key, or this raises
    assert re.fullmatch(r"[0-9a-f]{64}\n", first["metrics_token"])
    again = subprocess.run(
        [str(ROOT / "deploy" / "generate-secrets"), str(secrets_dir)], check=True, capture_output=True, text=True
    )
    assert again.stdout.count("exists: kept") == len(SECRET_FILES)
    assert {name: (secrets_dir / name).read_text() for name in first} == first, "an existing key is never replaced"
    for variable in ("SECRET_KEY", "PARLEY_ENCRYPTION_KEY"):
        monkeypatch.delenv(variable, raising=False)
    for secret, variable in SECRET_FILES.items():
        monkeypatch.setenv(variable, str(secrets_dir / secret))
    monkeypatch.setenv("MONGO_URI", "mongodb://mongo1:27017/parley?replicaSet=rs0")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    monkeypatch.delenv("PARLEY_ASYNC_MODE", raising=False)
    config = ProductionConfig()
    config.check()
    assert first["secret_key"].strip() == config.SECRET_KEY and len(config.SECRET_KEY) >= 32
    assert first["encryption_key"].strip() == config.PARLEY_ENCRYPTION_KEY


def test_the_dockerfile_builds_in_two_stages_and_runs_as_its_own_user(dockerfile_stages):
    builder, final = dockerfile_stages
    arg = re.search(r"ARG PYTHON_IMAGE=python:(\d+)\.(\d+)\.(\d+)-slim-bookworm", (ROOT / "Dockerfile").read_text())
    assert arg, "a slim Python image pinned to a patch release"
    assert tuple(map(int, arg.groups()[:2])) == sys.version_info[:2], "the Python the tests run on"
    assert builder[0] == ("FROM", "${PYTHON_IMAGE} AS builder") and final[0] == ("FROM", "${PYTHON_IMAGE}")
    builder_runs = " ".join(args for instruction, args in builder if instruction == "RUN")
    assert "build-essential" in builder_runs and "pip wheel" in builder_runs and "-r /build/requirements.txt" in builder_runs
    assert "--no-index" in builder_runs, "installed from the wheels built, nothing else"
    final_runs = " ".join(args for instruction, args in final if instruction == "RUN")
    assert "apt-get" not in final_runs and "pip install" not in final_runs, "no build tools, no downloads"
    assert ("COPY", "--from=builder /opt/parley /opt/parley") in final
    users = [args for instruction, args in final if instruction == "USER"]
    assert users == ["parley:parley"] and "useradd --system --uid 10001" in final_runs
    last_user = max(i for i, (instruction, _) in enumerate(final) if instruction == "USER")
    assert all(instruction != "RUN" for instruction, _ in final[last_user:]), "nothing runs as root after USER"


def test_the_dockerfile_checks_liveness_and_starts_the_web_role(dockerfile_stages):
    final = dockerfile_stages[-1]
    (healthcheck,) = [args for instruction, args in final if instruction == "HEALTHCHECK"]
    assert healthcheck.startswith("--interval=") and " CMD [" in healthcheck and "/healthz" in healthcheck
    assert ("CMD", '["python", "wsgi.py"]') in final
    assert any("PARLEY_CONFIG=production" in args for instruction, args in final if instruction == "ENV")


def dockerignored(path, patterns):
    """Whether Docker leaves `path` out of the build context: the last pattern matching it or one of
    its parent directories decides, `!` letting it back in (Docker's rules, without `**` inside)."""
    parts = path.split("/")
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))] + parts
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            ignored = not negated
    return ignored


def test_the_build_context_holds_the_app_and_nothing_else(dockerfile_stages):
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for path in (
        ".venv/bin/python",
        ".git/HEAD",
        "tests/conftest.py",
        "bench/RESULTS.md",
        "var/secret_key",
        "deploy/secrets/secret_key",
        "docs/architecture.md",
        "app/__pycache__/db.cpython-311.pyc",
        "Makefile",
    ):
        assert dockerignored(path, patterns), path
    copied = [args.split()[:-1] for instruction, args in dockerfile_stages[-1] if instruction == "COPY"]
    sources = [source for args in copied if not args[0].startswith("--from") for source in args]
    assert set(sources) == {"requirements.txt", "wsgi.py", "config/__init__.py", "workers", "app"}
    for source in sources:
        assert not dockerignored(source, patterns), source
    assert not dockerignored("app/static/js/desktop.js", patterns) and not dockerignored("workers/cron.py", patterns)
