"""Several Parley processes cooperating on one machine: two web processes (wsgi.py's server, gevent)
and a worker process on one Redis, behind nginx with deploy/nginx/parley.conf (tests/support/cluster.py).

The embedded database cannot be shared between processes: each process here has its own, seeded
with the same users, queue and account under the same ids (tests/support/cluster_data.py). So this
test proves what crosses processes: Socket.IO events through the Redis message queue (from a job
in the worker process and from either web process to clients of both), presence in Redis, jobs
through RQ, sessions valid on either process, and failover through the proxy. The full flow
across processes (an interaction opened through one process, shown by the other) needs a MongoDB
server, which this machine does not have.
"""

import signal
import socket

import pytest
import redis
import requests
from playwright.sync_api import expect
from rq import Queue

from tests.support import cluster_data, emitting_job
from tests.support.browser import sign_in_page
from tests.support.cluster import running, socket_client
from tests.support.http import RequestInProgress, api_caller, signed_in_session
from tests.support.sockets import wait_for

ADMIN, AGENT, PASSWORD = cluster_data.ADMIN, cluster_data.AGENT, cluster_data.PASSWORD


@pytest.fixture
def cluster(tmp_path):
    with running(tmp_path) as started:
        yield started


def sessions_on_each_node(cluster, email):
    """Sign-ins through nginx until one landed on each web process: {node name: session}."""
    found = {}
    for _ in range(30):
        session = signed_in_session(cluster.nginx.url, email, PASSWORD)
        found.setdefault(cluster.node_of(session), session)
        if len(found) == len(cluster.webs):
            return found
    raise AssertionError(f"nginx sent 30 new browsers to {sorted(found)} only")


def worker_emits(cluster, event, data):
    connection = redis.Redis.from_url(cluster.worker.env["REDIS_URL"])
    return Queue("maintenance", connection=connection).enqueue(emitting_job.FUNC, event, data, "admins")


def test_events_presence_and_failover_cross_processes(cluster):
    direct = {name: socket_client(node.url, signed_in_session(node.url, ADMIN, PASSWORD)) for name, node in cluster.webs.items()}
    proxied_sessions = sessions_on_each_node(cluster, ADMIN)
    proxied = {name: socket_client(cluster.nginx.url, session, reconnection=True) for name, session in proxied_sessions.items()}
    admins = [*direct.values(), *proxied.values()]
    assert all(client.wait_for_event("welcome") for client in admins), cluster.logs()

    # A job in the worker process reaches the admins of both web processes, directly and through nginx.
    job = worker_emits(cluster, "cluster_ping", {"from": "worker"})
    assert wait_for(lambda: all(c.received("cluster_ping") == [{"from": "worker"}] for c in admins), 20), cluster.logs()
    assert job.get_status() == "finished"

    # The agent connects through nginx to one process: every admin hears it come Online (that process emits).
    agent_session = signed_in_session(cluster.nginx.url, AGENT, PASSWORD)
    agent_node = cluster.node_of(agent_session)
    other_node = next(name for name in cluster.webs if name != agent_node)
    agent = socket_client(cluster.nginx.url, agent_session, reconnection=True)
    assert agent.wait_for_event("welcome"), cluster.logs()

    def states_heard(state):
        return all(any(e["state"] == state for e in c.received("agent_state")) for c in admins)

    assert wait_for(lambda: states_heard("online")), cluster.logs()

    # Presence lives in Redis: the other process sees the agent Online, and the agent's change made
    # there (with the session signed in through the first) reaches every admin from that process.
    other = cluster.webs[other_node]
    api_elsewhere = api_caller(agent_session, other.url)
    assert api_elsewhere("GET", "/me/presence").json()["state"] == "online"
    changed = api_elsewhere("PUT", "/me/presence", {"state": "offline"})
    assert changed.status_code == 200, changed.text
    assert wait_for(lambda: states_heard("offline")), cluster.logs()
    assert api_caller(agent_session, cluster.webs[agent_node].url)("GET", "/me/presence").json()["state"] == "offline"

    # The agent's process dies: the other keeps serving, and the agent's socket and the admin that
    # was on that process reconnect through nginx, to the survivor.
    cluster.webs[agent_node].kill()
    assert requests.get(f"{other.url}/healthz", timeout=5).status_code == 200
    assert wait_for(lambda: len(agent.received("welcome")) == 2 and agent.connected, 30), cluster.logs()
    assert wait_for(lambda: cluster.node_of(agent_session) == other_node)
    moved = proxied[agent_node]
    assert wait_for(lambda: len(moved.received("welcome")) == 2 and moved.connected, 30), cluster.logs()
    survivors = [direct[other_node], *proxied.values()]
    worker_emits(cluster, "cluster_ping", {"from": "worker, after the failover"})
    assert wait_for(lambda: all({"from": "worker, after the failover"} in c.received("cluster_ping") for c in survivors), 20)
    assert requests.get(f"{cluster.nginx.url}/healthz", timeout=5).status_code == 200
    for client in [*admins, agent]:
        client.disconnect()


def test_sigterm_drains_a_web_process_and_its_clients_move_to_the_other(cluster):
    web1 = cluster.webs["web1"]
    redis_connection = redis.Redis.from_url(cluster.worker.env["REDIS_URL"])
    sessions = sessions_on_each_node(cluster, ADMIN)
    leaving, staying = (socket_client(cluster.nginx.url, sessions[name]) for name in ("web1", "web2"))
    assert leaving.wait_for_event("welcome") and staying.wait_for_event("welcome"), cluster.logs()
    body, headers = cluster_data.meta_webhook("wamid.DRAIN-IN-FLIGHT", "15550009001")
    in_flight = RequestInProgress(web1.port, cluster_data.webhook_path(), body, headers)
    assert in_flight.started(), web1.log

    web1.process.send_signal(signal.SIGTERM)
    assert wait_for(lambda: "SIGTERM: draining: new connections refused, 1 sockets told to reconnect" in web1.log), web1.log
    assert web1.process.poll() is None, "web1 waits for the webhook it is reading"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", web1.port), timeout=5)
    assert wait_for(lambda: leaving.received("server_stopping") == [{"reconnect": True}] and not leaving.connected), web1.log
    assert staying.connected and not staying.received("server_stopping")
    # Meanwhile nginx sends everything to web2, webhooks and the leaving client's reconnection alike.
    other_body, other_headers = cluster_data.meta_webhook("wamid.DRAIN-DURING", "15550009002")
    during = requests.post(
        f"{cluster.nginx.url}{cluster_data.webhook_path()}", data=other_body, headers=other_headers, timeout=10
    )
    assert during.status_code == 200, during.text
    back = socket_client(cluster.nginx.url, sessions["web1"])
    assert back.wait_for_event("welcome") and wait_for(lambda: cluster.node_of(sessions["web1"]) == "web2")

    in_flight.send_body()
    answer = in_flight.answer()
    assert answer.startswith("HTTP/1.1 200") and "Connection: close" in answer, answer
    assert web1.process.wait(30) == 0, web1.log
    assert "SIGTERM: requests finished" in web1.log
    ids = ("wamid.DRAIN-IN-FLIGHT", "wamid.DRAIN-DURING")  # the worker process applied both
    assert wait_for(lambda: all(cluster_data.applied_mark(redis_connection, i) == "done" for i in ids), 20), cluster.logs()
    for client in (leaving, staying, back):
        client.disconnect()


def test_a_desktop_moves_to_the_other_process_when_its_own_stops(cluster, browser):
    """The browser's own Socket.IO client (WebSocket first, as the desktop connects) through nginx:
    the drain's close makes it reconnect by itself, and nginx takes it to the other process."""
    context = browser.new_context(base_url=cluster.nginx.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in_page(page, AGENT, PASSWORD)
        page.wait_for_url("**/desktop/")
        indicator = page.get_by_test_id("connection")
        expect(indicator).to_have_attribute("data-state", "connected", timeout=15_000)
        route = next(c["value"] for c in context.cookies() if c["name"] == "parley_route")
        leaving = cluster.nginx.upstream_of(route).rsplit(":", 1)[1]
        node = next(n for n in cluster.webs.values() if str(n.port) == leaving)
        page.evaluate(
            """() => { const el = document.querySelector('[data-testid=connection]'); window.states = [];
                new MutationObserver(() => window.states.push(el.dataset.state)).observe(el, {attributes: true}); }"""
        )

        assert node.terminate(30) == 0, node.log
        assert "1 sockets told to reconnect" in node.log
        expect(indicator).to_have_attribute("data-state", "connected", timeout=15_000)
        assert page.evaluate("window.states")[-2:] == ["reconnecting", "connected"]
        assert page.evaluate("window.states").count("disconnected") == 0
    finally:
        context.close()
    survivor = next(n for n in cluster.webs.values() if n is not node)
    assert wait_for(lambda: cluster.nginx.upstream_of(route) == f"127.0.0.1:{survivor.port}"), "the WebSocket went elsewhere"
