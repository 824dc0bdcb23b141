"""Developer tools: the local stack that `make run` and `make test` start."""
