"""Memory per connected agent: 1,000 signed-in agents' Socket.IO connections to one web process.

    .venv/bin/python bench/sockets_memory.py            # eventlet and gevent, 3 rounds each (a few minutes)
    .venv/bin/python bench/sockets_memory.py --quick    # 100 sockets, one round of eventlet; figures not written

Each round starts a fresh server (bench/pipeline_server.py: `wsgi.py` with its bench data, the
embedded engine, its own Redis) seeded with 1,000 agents, signs each agent in over HTTP as the
sign-in page does, then opens one WebSocket per agent, as the desktop does (python-socketio's
AsyncClient, all in this process). The server's resident memory (RSS, /proc) is read once every
agent is signed in and the process has settled, and again once every socket is connected and the
presence heartbeat has run: the difference divided by the sockets is the memory per agent socket.
The rounds' median is reported. The agents are seeded with cheap password hashes: the cost of
argon2 is the sign-in's, not the socket's.
"""

import asyncio
import logging
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import socketio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.inbound_http import Server  # noqa: E402
from bench.results import arguments, write_section  # noqa: E402

logging.getLogger("engineio.client").setLevel(logging.CRITICAL)
logging.getLogger("socketio.client").setLevel(logging.CRITICAL)

CHEAP_HASHES = {"PARLEY_ARGON2_TIME_COST": "1", "PARLEY_ARGON2_MEMORY_KIB": "1024"}
#: Sockets opened at the same time while connecting (a desktop's connection takes several round trips).
CONNECTING_AT_ONCE = 50
#: After the last socket connected: longer than one presence heartbeat (a quarter of PARLEY_PRESENCE_TTL_SECONDS).
SETTLE_SECONDS = 20


def rss_bytes(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


def signed_in_cookie(url, email, password):
    """The cookie header of a browser that signed in as `email` through the sign-in form."""
    session = requests.Session()
    page = session.get(url + "/login", timeout=60).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(url + "/login", data={"email": email, "password": password, "csrf_token": token}, timeout=60)
    if "/login" in answer.url:
        raise RuntimeError(f"{email} could not sign in")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


async def connect_all(url, cookies):
    """One connected AsyncClient per cookie (the caller disconnects them)."""
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    clients = []

    async def connect(cookie):
        client = socketio.AsyncClient(reconnection=False)
        async with gate:
            await client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=60)
        clients.append(client)

    await asyncio.gather(*(connect(cookie) for cookie in cookies))
    return clients


async def measure_connected(server, cookies):
    """RSS before and after connecting every socket, and how long connecting took."""
    before = rss_bytes(server.process.pid)
    started = time.monotonic()
    clients = await connect_all(server.url, cookies)
    connect_seconds = time.monotonic() - started
    await asyncio.sleep(SETTLE_SECONDS)
    connected = sum(client.connected for client in clients)
    after = rss_bytes(server.process.pid)
    await asyncio.gather(*(client.disconnect() for client in clients))
    return {"before": before, "after": after, "connected": connected, "connect_seconds": connect_seconds}


def one_round(mode, sockets):
    with Server("parley", agents=sockets, env={"PARLEY_ASYNC_MODE": mode, **CHEAP_HASHES}) as server:
        password = server.state["password"]
        with ThreadPoolExecutor(8) as pool:
            cookies = list(pool.map(lambda email: signed_in_cookie(server.url, email, password), server.state["agents"]))
        time.sleep(5)  # the sign-ins' garbage collected, the embedded workers idle
        figures = asyncio.run(measure_connected(server, cookies))
    # By the sockets connected when the memory was read (the figures say how many of those asked for).
    figures["per_socket"] = (figures["after"] - figures["before"]) / max(figures["connected"], 1)
    print(
        f"{mode}: {figures['connected']}/{sockets} connected in {figures['connect_seconds']:.1f} s, RSS "
        f"{figures['before'] / 2**20:.1f} -> {figures['after'] / 2**20:.1f} MiB, "
        f"{figures['per_socket'] / 1024:.1f} KiB per socket",
        flush=True,
    )
    return figures


def report(results, sockets, rounds):
    lines = [
        f"`python bench/sockets_memory.py` — one web process (`wsgi.py` through bench/pipeline_server.py, embedded "
        f"engine, its embedded worker threads, its own Redis), {sockets:,} agents each signed in through the sign-in "
        "form and connected by WebSocket as the desktop is (python-socketio AsyncClient, in the load generator's "
        f"process on the same 2-core machine, shared with other work). The server's RSS once every agent was signed in "
        f"and again {SETTLE_SECONDS} s after the last socket connected (a presence heartbeat included); {rounds} rounds, "
        "each on a fresh server.",
        "",
        "| async mode | round | connected | connecting took | RSS before | RSS with the sockets | per socket |",
        "|---|---|---|---|---|---|---|",
    ]
    for mode, figures in results.items():
        for n, f in enumerate(figures, 1):
            lines.append(
                f"| {mode} | {n} | {f['connected']:,} | {f['connect_seconds']:.1f} s | {f['before'] / 2**20:.1f} MiB "
                f"| {f['after'] / 2**20:.1f} MiB | {f['per_socket'] / 1024:.1f} KiB |"
            )
        median = statistics.median(f["per_socket"] for f in figures)
        lines.append(f"| {mode} | median | | | | | **{median / 1024:.1f} KiB** |")
    lines += [
        "",
        "An idle agent's socket costs the figure above in the web process; what an agent's browser receives "
        "while busy (live events) is CPU, measured in the inbound pipeline section. An eventlet process serves at "
        "most 1,024 connections at once (eventlet's WSGI server's pool), gevent has no such limit.",
    ]
    return "\n".join(lines)


def main():
    parser = arguments(__doc__, "100 sockets, one eventlet round; nothing written")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default="eventlet,gevent")
    args = parser.parse_args()
    if args.quick:
        args.sockets, args.rounds, args.modes = 100, 1, "eventlet"
    results = {mode: [one_round(mode, args.sockets) for _ in range(args.rounds)] for mode in args.modes.split(",")}
    body = report(results, args.sockets, args.rounds)
    print(body)
    if not args.quick:
        write_section("sockets_memory", "Memory per connected agent socket", body)


if __name__ == "__main__":
    main()
