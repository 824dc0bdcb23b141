"""The inbound pipeline under load: signed Meta webhooks over HTTP into the real server, agents on Socket.IO.

    .venv/bin/python bench/inbound_http.py            # the full run (about 8 minutes)
    .venv/bin/python bench/inbound_http.py --quick    # a short smoke run, figures not written

Every phase starts a fresh server process (bench/pipeline_server.py) on the embedded engine with
its own throwaway Redis, and measures it from outside, as providers and browsers see it:

1. ceiling: the same server stack (Flask-SocketIO on the same async server) answering the webhook
   route with no work, loaded by wrk: the most any webhook route could answer here;
2. ack: Parley under the same wrk load (32 connections), 50 customers: webhook answers per second
   and their latency, with the events' processing held back for the phase (they wait in the
   inbox, as in a web process whose workers run in processes of their own), and again with the
   same process applying them meanwhile (the embedded mode: one process, one core); the ceiling
   and both acks are measured in three rounds, one right after the other, and the medians of the
   rounds' ratios reported (this machine's speed drifts by a third within an hour);
3. sustained: wrk for 60 s at 50 and at 500 active customers, two agents connected; messages
   pushed to a signed-in admin's socket per second, and the server's CPU time per pushed message
   in the first and the last 10 s (flat means the cost does not grow with what is stored);
4. push: 100 agents connected, each customer's interaction accepted by an agent (a staffed
   contact center), webhooks paced at 200/s by this script (asyncio, keep-alive connections);
   the delay from sending the webhook to the admin's socket receiving the message, p50 and p99
   (three runs on fresh servers, and their median).

Needs wrk (Debian's package; installed with apt-get when missing and run as root).
"""

import argparse
import asyncio
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


#: The push phase is run this many times (fresh servers) and its median reported: the machine is noisy.
PUSH_RUNS = 3
ACK_ROUNDS = 3
#: The server's default reorder hold (config: PARLEY_INBOUND_REORDER_MS).
REORDER_HOLD_MS = 150
#: The reorder hold of the "processing held back" phase: longer than the phase, so nothing is due.
HELD_BACK_MS = 600_000


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

    def __init__(self, mode, agents=2, env=None):
        self.mode, self.agents, self.extra_env = mode, agents, env or {}

    def __enter__(self):
        self.redis = RedisServer().start()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        work = Path(tempfile.mkdtemp())
        state_file = work / "state.json"
        env = {**os.environ, "REDIS_URL": self.redis.url, "PARLEY_PORT": str(self.port), "PARLEY_CONFIG": "development",
               "PARLEY_INSTANCE_DIR": str(work), **self.extra_env}  # fmt: skip
        args = [sys.executable, str(ROOT / "bench" / "pipeline_server.py"), self.mode, str(state_file), str(self.agents)]
        # Its log goes to a file: a pipe nobody reads would stop the server once it is full.
        self.log_path = work / "server.log"
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.mode} server stopped: {self.log_path.read_text()[-2000:]}")
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
        self.server = server
        self.session = requests.Session()
        page = self.session.get(server.url + "/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page
        )
        self.session.post(
            server.url + "/login", data={"email": email, "password": server.state["password"], "csrf_token": token.group(1)}
        )
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', self.session.get(server.url + "/desktop").text).group(1)
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)
        self.arrivals = []  # (monotonic time, text)
        self.interactions = {}  # text of a message -> its interaction id
        self.client = socketio.Client(reconnection=False)
        if record:
            for event in ("message", "offer"):
                self.client.on(event, self._record)
        self.client.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)

    def _record(self, data):
        text = (data.get("message") or {}).get("text") or ""
        self.arrivals.append((time.monotonic(), text))
        self.interactions[text] = data.get("interaction_id")

    def accept(self, interaction_id):
        """Accept an offered interaction, as the desktop's Accept button does."""
        answer = self.session.post(
            f"{self.server.url}/api/v1/interactions/{interaction_id}/accept",
            json={},
            headers={"X-CSRFToken": self.csrf},
            timeout=60,
        )
        answer.raise_for_status()

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


def push_latency(rate, seconds, agents, customers=50, env=None):
    """A staffed contact center: `agents` online, each customer's interaction accepted by an agent of
    its own; then webhooks paced at `rate` per second, and the delay until the admin's socket has
    each message."""
    with Server("parley", agents=agents, env=env) as server:
        admin = Listener(server, server.state["admin"])
        team = [Listener(server, email, record=False) for email in server.state["agents"]]
        staff(server, admin, team, customers)
        admin.arrivals.clear()
        admin.started = time.monotonic()
        sent, achieved = asyncio.run(paced_webhooks(server, rate, rate * seconds, customers))
        wait_for_quiet(admin, quiet=3)
        for listener in (admin, *team):
            listener.close()
    delays = sorted((t - sent[text]) * 1000 for t, text in admin.arrivals if text in sent)
    return {
        "rate": rate,
        "achieved": achieved,
        "agents": agents,
        "customers": customers,
        "sent": len(sent),
        "received": len(delays),
        "p50": statistics.median(delays) if delays else None,
        "p99": delays[int(len(delays) * 0.99) - 1] if delays else None,
    }


def staff(server, admin, team, customers):
    """Each customer writes once; agent n accepts customer n's interaction."""
    url, secret, pnid = server.webhook_url(), server.state["app_secret"], server.state["phone_number_id"]
    for customer in range(customers):
        text = f"hello from customer {customer}"
        body = meta_body(pnid, customer, f"wamid.STAFF{customer:07d}", text)
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, secret)}
        requests.post(url, data=body, headers=headers, timeout=60).raise_for_status()
    deadline = time.monotonic() + 60
    while sum(text.startswith("hello from customer") for text in admin.interactions) < customers:
        if time.monotonic() > deadline:
            raise RuntimeError("the customers' first messages did not all reach the admin within 60 s")
        time.sleep(0.1)
    for customer in range(customers):
        team[customer % len(team)].accept(admin.interactions[f"hello from customer {customer}"])


async def paced_webhooks(server, rate, total, customers, connections=16):
    """Post `total` signed webhooks, the n-th due at start + n/rate whatever the answers to the
    earlier ones take (keep-alive connections, asyncio: the generator stays light). Returns
    (send time by message text, the rate achieved)."""
    secret, pnid = server.state["app_secret"], server.state["phone_number_id"]
    path, port = server.state["webhook_path"], server.port
    due, sent = asyncio.Queue(), {}

    async def connection():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (n := await due.get()) is not None:
            text = f"push {n}"
            body = meta_body(pnid, n % customers, f"wamid.PUSH{n:09d}", text)
            head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"X-Hub-Signature-256: {signature(body, secret)}\r\nContent-Length: {len(body)}\r\n\r\n")  # fmt: skip
            sent[text] = time.monotonic()
            writer.write(head.encode() + body)
            await asyncio.wait_for(read_answer(reader), 30)
        writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    begin = time.monotonic()
    for n in range(total):
        await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
        due.put_nowait(n)
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    return sent, total / (max(sent.values()) - begin)


async def read_answer(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    await reader.readexactly(int(length.group(1)) if length else 0)
    if status != 200:
        raise RuntimeError(f"webhook answered {status}")


def fmt(value, unit=""):
    return "—" if value is None else f"{value:,.1f}{unit}"


def ack_round(seconds):
    """The ceiling and Parley's ack (processing held back, then in the same process), one after the
    other: a round's ratios compare figures taken within a minute of each other."""
    with Server("ceiling") as server:
        ceiling = run_wrk(server, 50, seconds)
    with Server("parley", env={"PARLEY_INBOUND_REORDER_MS": str(HELD_BACK_MS)}) as server:
        held = run_wrk(server, 50, seconds)
    with Server("parley") as server:
        shared = run_wrk(server, 50, seconds)
    return {"seconds": seconds, "ceiling": ceiling, "held": held, "shared": shared}


def report(rounds, runs, push):
    ms = " ms"
    lines = [
        "`python bench/inbound_http.py` — the real server (`wsgi.py`, async mode "
        f"{os.environ.get('PARLEY_ASYNC_MODE', 'eventlet')}, embedded engine, embedded worker threads, real Redis) on this "
        f"{os.cpu_count()}-core machine, loaded over HTTP by wrk (32 connections, 2 threads) with signed Meta text webhooks, "
        "each message new; the load generator shares the machine. Each phase starts from an empty database.",
        "",
        f"Webhook acks, {len(rounds)} rounds of three {rounds[0]['seconds']} s phases, each on a fresh server: the "
        "ceiling (the same stack answering the route with no work), Parley with the events' processing held back "
        "(they wait in the inbox, as in a web process whose workers run elsewhere; 50 customers), and Parley "
        "with the same process applying them (the embedded mode: one process, one core):",
        "",
        "| round | ceiling: answers/s, p99 | held back: answers/s, p50, p99 | vs ceiling "
        "| same process: answers/s, p99 | vs ceiling |",
        "|---|---|---|---|---|---|",
        *(
            f"| {n} | {r['ceiling']['rps']:,.0f}, {fmt(r['ceiling']['p99'], ms)} "
            f"| {r['held']['rps']:,.0f}, {fmt(r['held']['p50'], ms)}, {fmt(r['held']['p99'], ms)} "
            f"| {r['held']['rps'] / r['ceiling']['rps']:.1%} "
            f"| {r['shared']['rps']:,.0f}, {fmt(r['shared']['p99'], ms)} | {r['shared']['rps'] / r['ceiling']['rps']:.1%} |"
            for n, r in enumerate(rounds, 1)
        ),
        f"| median | {statistics.median(r['ceiling']['rps'] for r in rounds):,.0f} "
        f"| held back p99 {fmt(statistics.median(r['held']['p99'] for r in rounds), ms)} "
        f"| {statistics.median(r['held']['rps'] / r['ceiling']['rps'] for r in rounds):.1%} "
        f"| | {statistics.median(r['shared']['rps'] / r['ceiling']['rps'] for r in rounds):.1%} |",
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
        f"from {push['customers']} customers, {push['agents']} agents and one admin connected, each customer's "
        "interaction accepted by an agent first (a staffed contact center: each message goes to its agent and the "
        f"admins); {len(push['runs'])} runs, each on a fresh server, webhook sent → admin's socket:",
        "",
        "| run | webhooks/s achieved | reached the admin | p50 | p99 |",
        "|---|---|---|---|---|",
        *(
            f"| {n} | {run['achieved']:.0f} | {run['received']} of {run['sent']} | {fmt(run['p50'], ms)} "
            f"| {fmt(run['p99'], ms)} |"
            for n, run in enumerate(push["runs"], 1)
        ),
        f"| median | | | {fmt(push['p50'], ms)} | {fmt(push['p99'], ms)} |",
        "",
        f"The p50 includes the reorder hold (PARLEY_INBOUND_REORDER_MS, {REORDER_HOLD_MS} ms by default): each "
        "customer message waits that long for a late webhook carrying an earlier one.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases, nothing written")
    args = parser.parse_args()
    ensure_wrk()
    short, long_, push_seconds = (4, 10, 5) if args.quick else (12, 60, 20)
    rounds = []
    for _ in range(1 if args.quick else ACK_ROUNDS):
        rounds.append(ack_round(short))
        print(f"ack round: {rounds[-1]}", flush=True)
    runs = []
    for customers in (50, 500):
        run = {**sustained(customers, long_), "seconds": long_}
        print(f"sustained: {run}", flush=True)
        runs.append(run)
    push_runs = []
    for _ in range(PUSH_RUNS):
        push_runs.append(push_latency(rate=200, seconds=push_seconds, agents=100))
        print(f"push: {push_runs[-1]}", flush=True)
    push = {
        **push_runs[0],
        "runs": push_runs,
        "p50": statistics.median(run["p50"] for run in push_runs),
        "p99": statistics.median(run["p99"] for run in push_runs),
    }
    body = report(rounds, runs, push)
    print(body)
    if not args.quick:
        write_section("inbound_http", "Inbound pipeline over HTTP", body)


if __name__ == "__main__":
    main()
