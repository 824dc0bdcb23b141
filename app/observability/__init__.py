"""What an operator watches: Prometheus metrics (metrics.py, shared.py, gauges.py) and the log
lines' format and context (logs.py). Nothing here imports Flask: views, services and jobs all use it."""
