"""The inbound pipeline under load: signed Meta webhooks over HTTP into the real server, agents on Socket.IO.

    .venv/bin/python bench/inbound_http.py            # the full run (about 5 minutes)
    .venv/bin/python bench/inbound_http.py --quick    # a short smoke run, figures not written

Every phase starts a fresh server process (bench/pipeline_server.py) on the embedded engine with
its own throwaway Redis, and measures it from outside, as providers and browsers see it:

1. ceiling: the same server stack (Flask-SocketIO on the same async server) answering the webhook
   route with no work, loaded by wrk: the most any webhook route could answer here;
2. ack: Parley under the same wrk load (32 connections), 50 customers: webhook answers per second
   and their latency;
3. sustained: wrk for 60 s at 50 and at 500 active customers, two agents connected; messages
   pushed to a signed-in admin's socket per second, and the server's CPU time per pushed message
   in the first and the last 10 s (flat means the cost does not grow with what is stored);
4. push: 100 agents connected, webhooks paced at 200/s by this script; the delay from sending the
   webhook to the admin's socket receiving the message, p50 and p99.

Needs wrk (Debian's package; installed with apt-get when missing and run as root).
"""

import argparse
import hashlib
import hmac
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from tools.devstack import RedisServer, free_port  # noqa: E402

# python-engineio logs an ordinary client disconnect as an error ("packet queue is empty").
logging.getLogger("engineio.client").setLevel(logging.CRITICAL)

LUA = r"""
-- Cycles through pre-signed requests, each thread through its own share of them.
local requests, index, counter = {}, 0, 0
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
function init(args)
  local threads = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == tid then
      local signature, body = line:match("^(%S+) (.*)$")
      requests[#requests + 1] = wrk.format("POST", args[3], {
        ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = signature }, body)
    end
    n = n + 1
  end
end
function request() index = index % #requests + 1; return requests[index] end
"""


def ensure_wrk():
    if shutil.which("wrk") is None:
        subprocess.run([str(ROOT / "config" / "apt-install"), "wrk"], check=True)


def meta_body(phone_number_id, customer, message_id, text):
    """One Meta text webhook, as Meta sends it (compact JSON, one line)."""
    wa_id = f"1555{customer:07d}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001000", "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": f"Customer {customer}"}, "wa_id": wa_id}],
        "messages": [
            {"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "100000000000002", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def signature(body, secret):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Server:
    """One server process of bench/pipeline_server.py with its own Redis."""

    def __init__(self, mode, agents=2):
        self.mode, self.agents = mode, agents

    def __enter__(self):
        self.redis = RedisServer().start()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        work = Path(tempfile.mkdtemp())
        state_file = work / "state.json"
        env = {**os.environ, "REDIS_URL": self.redis.url, "PARLEY_PORT": str(self.port), "PARLEY_CONFIG": "development",
               "PARLEY_INSTANCE_DIR": str(work)}  # fmt: skip
        args = [sys.executable, str(ROOT / "bench" / "pipeline_server.py"), self.mode, str(state_file), str(self.agents)]
        self.process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.mode} server stopped: {self.process.stderr.read()[-2000:]}")
            if state_file.exists() and _listening(self.port):
                self.state = json.loads(state_file.read_text())
                if self.mode == "parley":
                    self._warm_up()
                return self
            time.sleep(0.2)
        raise RuntimeError(f"the {self.mode} server did not start within 120 s")

    def _warm_up(self):
        """Steady state before measuring: the first messages load the sentiment model in this process."""
        secret, pnid = self.state["app_secret"], self.state["phone_number_id"]
        for n in range(100):
            body = meta_body(pnid, 9_999_999, f"wamid.WARMUP{n}", "Hello, thank you!")
            started = time.monotonic()
            requests.post(
                self.webhook_url(),
                data=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, secret)},
                timeout=120,
            )
            if n > 2 and time.monotonic() - started < 0.2:
                return
            time.sleep(1)
        raise RuntimeError("the parley server did not settle: webhooks still slow after 100 warm-up messages")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.redis.stop()

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def webhook_url(self):
        return self.url + self.state["webhook_path"]


def _listening(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Listener:
    """A signed-in browser's Socket.IO connection; records when each message or offer arrives."""

    def __init__(self, server, email, record=True):
        session = requests.Session()
        page = session.get(server.url + "/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page
        )
        session.post(
            server.url + "/login", data={"email": email, "password": server.state["password"], "csrf_token": token.group(1)}
        )
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        self.arrivals = []  # (monotonic time, text)
        self.client = socketio.Client(reconnection=False)
        if record:
            for event in ("message", "offer"):
                self.client.on(event, self._record)
        self.client.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)

    def _record(self, data):
        self.arrivals.append((time.monotonic(), (data.get("message") or {}).get("text") or ""))

    def close(self):
        self.client.disconnect()


def write_requests(path, server, customers, count, run_id):
    secret, pnid = server.state["app_secret"], server.state.get("phone_number_id", "0")
    with open(path, "w") as out:
        for n in range(count):
            body = meta_body(pnid, n % customers, f"wamid.BENCH{run_id}{n:09d}", f"Message {n} from the benchmark")
            out.write(f"{signature(body, secret)} {body.decode()}\n")


def run_wrk(server, customers, seconds, connections=32, threads=2, count=60000):
    """wrk against the webhook; returns its figures."""
    work = Path(tempfile.mkdtemp())
    write_requests(work / "requests.txt", server, customers, count, run_id=f"{customers}x{int(time.time())}")
    (work / "load.lua").write_text(LUA)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
        "-s", str(work / "load.lua"), server.url, "--", str(work / "requests.txt"), str(threads), server.state["webhook_path"],
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    shutil.rmtree(work)
    return parse_wrk(output)


def parse_wrk(output):
    def ms(value):
        number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    latency = {p: ms(v) for p, v in re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)", output, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "errors": errors.group(1) if errors else "none",
    }


def sustained(customers, seconds):
    """wrk for `seconds`; pushed messages and server CPU per message, in 10 s windows."""
    with Server("parley", agents=2) as server:
        admin = Listener(server, server.state["admin"])
        agents = [Listener(server, email, record=False) for email in server.state["agents"]]
        cpu_marks = []
        start = admin.started = time.monotonic()

        def sample_cpu():
            while time.monotonic() - start < seconds + 0.5:
                cpu_marks.append((time.monotonic(), server.cpu_seconds()))
                time.sleep(1)

        sampler = threading.Thread(target=sample_cpu, daemon=True)
        sampler.start()
        ack = run_wrk(server, customers, seconds)
        sampler.join()
        drained = wait_for_quiet(admin)
        for listener in (admin, *agents):
            listener.close()
    window = 10
    arrivals = [t - start for t, _ in admin.arrivals]
    windows = []
    for first in (0, seconds - window):
        pushed = sum(first <= t < first + window for t in arrivals)
        cpu = _cpu_between(cpu_marks, start + first, start + first + window)
        windows.append({"pushed_per_s": pushed / window, "cpu_ms_per_message": cpu * 1000 / pushed if pushed else None})
    in_time = sum(t < seconds for t in arrivals)
    return {
        "customers": customers,
        "ack": ack,
        "pushed_per_s": in_time / seconds,
        "pushed_after_load": len(arrivals) - in_time,
        "drain_seconds": drained - seconds if arrivals else None,
        "first": windows[0],
        "last": windows[1],
    }


def wait_for_quiet(listener, quiet=5, limit=300):
    """Keep listening after the load stops until nothing has arrived for `quiet` seconds; returns when the last arrived."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        last = listener.arrivals[-1][0] if listener.arrivals else start
        if time.monotonic() - max(last, start) >= quiet:
            break
        time.sleep(0.5)
    return (listener.arrivals[-1][0] if listener.arrivals else start) - listener.started


def _cpu_between(marks, begin, end):
    def at(moment):
        return min(marks, key=lambda mark: abs(mark[0] - moment))[1]

    return at(end) - at(begin)


def push_latency(rate, seconds, agents, customers=50):
    """Webhooks paced at `rate` per second; delay until the admin's socket has the message."""
    with Server("parley", agents=agents) as server:
        admin = Listener(server, server.state["admin"])
        listeners = [Listener(server, email, record=False) for email in server.state["agents"]]
        sent = {}
        url, secret, pnid = server.webhook_url(), server.state["app_secret"], server.state["phone_number_id"]
        total = rate * seconds
        sessions = threading.local()

        def post_when_due(n):
            # Each webhook leaves at its own time, whatever the answers to the earlier ones take.
            time.sleep(max(0.0, begin + n / rate - time.monotonic()))
            text = f"push {n}"
            body = meta_body(pnid, n % customers, f"wamid.PUSH{n:09d}", text)
            sent[text] = time.monotonic()
            if not hasattr(sessions, "http"):
                sessions.http = requests.Session()
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, secret)}
            sessions.http.post(url, data=body, headers=headers, timeout=60)

        begin = time.monotonic()
        with ThreadPoolExecutor(max_workers=64) as pool:
            list(pool.map(post_when_due, range(total)))
        achieved = total / (max(sent.values()) - begin)
        admin.started = begin
        wait_for_quiet(admin)  # let the last messages arrive
        for listener in (admin, *listeners):
            listener.close()
    delays = sorted((t - sent[text]) * 1000 for t, text in admin.arrivals if text in sent)
    return {
        "rate": rate,
        "achieved": achieved,
        "agents": agents,
        "sent": total,
        "received": len(delays),
        "p50": statistics.median(delays) if delays else None,
        "p99": delays[int(len(delays) * 0.99) - 1] if delays else None,
    }


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def report(ceiling, ack, runs, push):
    ms = " ms"
    lines = [
        "`python bench/inbound_http.py` — the real server (`wsgi.py`, async mode "
        f"{os.environ.get('PARLEY_ASYNC_MODE', 'eventlet')}, embedded engine, embedded worker threads, real Redis) on this "
        f"{os.cpu_count()}-core machine, loaded over HTTP by wrk (32 connections, 2 threads) with signed Meta text webhooks, "
        "each message new; the load generator shares the machine. Each phase starts from an empty database.",
        "",
        "| what | answers/s | p50 | p99 | vs ceiling |",
        "|---|---|---|---|---|",
        f"| ceiling: same stack, no work | {ceiling['rps']:,.0f} | {fmt(ceiling['p50'], ms)} "
        f"| {fmt(ceiling['p99'], ms)} | 100% |",
        f"| Parley webhook ack (50 customers, {ack['seconds']} s) | {ack['rps']:,.0f} | {fmt(ack['p50'], ms)} "
        f"| {fmt(ack['p99'], ms)} "
        f"| {ack['rps'] / ceiling['rps']:.1%} |",
        "",
        "Sustained load (wrk for the whole run; two agents and one admin connected; "
        "pushed = messages that reached the admin's socket):",
        "",
        "| active customers | seconds | webhooks answered/s | ack p99 | pushed/s during the load | pushed after it (drained in) "
        "| first 10 s: pushed/s, CPU per message | last 10 s: pushed/s, CPU per message |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        first, last = run["first"], run["last"]
        lines.append(
            f"| {run['customers']} | {run['seconds']} | {run['ack']['rps']:,.0f} | {fmt(run['ack']['p99'], ms)} "
            f"| {run['pushed_per_s']:,.1f} | {run['pushed_after_load']} ({fmt(run['drain_seconds'], ' s')}) "
            f"| {fmt(first['pushed_per_s'])}, {fmt(first['cpu_ms_per_message'], ms)} "
            f"| {fmt(last['pushed_per_s'])}, {fmt(last['cpu_ms_per_message'], ms)} |"
        )
    lines += [
        "",
        f"Push latency, webhooks paced at {push['rate']}/s for {push['sent'] // push['rate']} s "
        f"(achieved {push['achieved']:.0f}/s) with {push['agents']} agents and one admin connected: "
        f"{push['received']} of {push['sent']} messages reached the admin's socket; "
        f"webhook sent → socket p50 {fmt(push['p50'], ms)}, p99 {fmt(push['p99'], ms)}.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases, nothing written")
    args = parser.parse_args()
    ensure_wrk()
    short, long_, push_seconds = (4, 10, 5) if args.quick else (12, 60, 20)
    with Server("ceiling") as server:
        ceiling = run_wrk(server, 50, short)
    print(f"ceiling: {ceiling}", flush=True)
    with Server("parley") as server:
        ack = {**run_wrk(server, 50, short), "seconds": short}
    print(f"ack: {ack}", flush=True)
    runs = []
    for customers in (50, 500):
        run = {**sustained(customers, long_), "seconds": long_}
        print(f"sustained: {run}", flush=True)
        runs.append(run)
    push = push_latency(rate=200, seconds=push_seconds, agents=100)
    print(f"push: {push}", flush=True)
    body = report(ceiling, ack, runs, push)
    print(body)
    if not args.quick:
        write_section("inbound_http", "Inbound pipeline over HTTP", body)


if __name__ == "__main__":
    main()
