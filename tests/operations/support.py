"""Reading /metrics as Prometheus does: the text parsed by prometheus_client's own parser."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client):
    """{(sample name, ((label, value), ...)): value} from one authorized GET /metrics."""
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    return _samples(text_string_to_metric_families(response.get_data(as_text=True)))


def collected(collector):
    """The same, from one collector of app/observability (no HTTP, no token)."""
    return _samples(collector.collect())


def _samples(families):
    samples = {}
    for family in families:
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    """One sample's value; a series the scrape does not have fails the test (KeyError)."""
    return samples[(name, tuple(sorted(labels.items())))]


def counted(samples, name, **labels):
    """A counter's value, 0 while it has not been incremented (its series absent)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0)
