"""A test class's own Redis server, which its tests may stop and start (an outage) without
touching the one the rest of the worker's tests share."""

import pytest

from tools.devstack import RedisServer


class OwnRedis:
    @pytest.fixture
    def redis_server(self):
        with RedisServer() as server:
            yield server

    @pytest.fixture
    def config(self, config, redis_server):
        config.REDIS_URL = redis_server.url
        return config
