"""RQ job functions, grouped by domain, and the worker and periodic-job entry points."""
