"""The per-agent chart in Chromium: a name never runs into its bars or its figures, whatever the
name's length and the page's width."""

import pytest

from tests.interactions.support import taken
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD, make_user
from tests.support.engine import make_queue, make_sandbox_account

LONG_NAMES = (
    "Bartholomew Maximilian Featherstonehaugh-Worthington",  # longer than any truncation
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",  # the widest letters
    "Al",
)

OVERLAPS = """(chart) => {
    const box = (el) => el.getBoundingClientRect();
    const meet = (a, b) =>
        a.width > 0 && b.width > 0 && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const problems = [];
    for (const row of chart.querySelectorAll("[data-testid=agent-bar]")) {
        const label = box(row.querySelector("text.label"));
        const value = box(row.querySelector("text.value"));
        const bars = [...row.querySelectorAll("rect")].map(box);
        const name = row.querySelector("text.label").textContent;
        bars.forEach((bar, i) => {
            if (meet(label, bar)) problems.push(`${name}: label meets bar ${i}`);
            if (meet(value, bar)) problems.push(`${name}: figures meet bar ${i}`);
        });
        if (meet(label, value)) problems.push(`${name}: label meets figures`);
        const chartBox = box(chart);
        if (Math.max(label.right, value.right) > chartBox.right + 0.5) problems.push(`${name}: runs out of the chart`);
    }
    return problems;
}"""


@pytest.fixture
def busy_agents(app):
    agents = [make_user("agent", name=name) for name in LONG_NAMES]
    account = make_sandbox_account(make_queue([a["_id"] for a in agents], name="Chart"))
    phones = iter(f"+4477009007{n:02d}" for n in range(50))
    for count, agent in zip((3, 3, 1), agents, strict=True):  # the long names get full-width bars
        for _ in range(count):
            taken(account, agent, next(phones), "hello")
    return agents


@pytest.mark.parametrize("width", [1280, 900, 600, 390])
def test_agent_names_never_overlap_their_bars(new_page, busy_agents, width):
    admin = make_user("admin", name="Ada")
    page = new_page(viewport=(width, 900))
    sign_in_page(page, admin["email"], PASSWORD)
    page.goto("/dashboard/")
    chart = page.locator("[data-testid=chart-agents]")
    chart.wait_for()
    assert chart.locator("[data-testid=agent-bar]").count() >= len(LONG_NAMES)
    assert page.evaluate(OVERLAPS, chart.element_handle()) == []
    rows = page.locator("[data-testid=agent-row]")
    assert rows.evaluate_all("(rows) => rows.filter((row) => row.scrollWidth > row.clientWidth).length") == 0
    if width in (1280, 390):
        chart.scroll_into_view_if_needed()
        screenshot(page, f"dashboard-agents-{width}")
