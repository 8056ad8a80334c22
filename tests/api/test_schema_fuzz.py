"""schemathesis against the service's own OpenAPI schema, on a real server: no input gives a 5xx."""

import hypothesis
import pytest
import schemathesis

from api.app import create_app
from api.settings import ServiceSettings
from tests.api.test_real_server import Server

pytestmark = pytest.mark.server

SCHEMA = schemathesis.openapi.from_dict(create_app(ServiceSettings(workers=1)).openapi())


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("fuzz") / "data", workers=1)
    server.env.update({"JUDGE_WAIT_TIMEOUT_S": "2", "JUDGE_MAX_QUEUE": "20"})
    server.start()
    token = server.judge("token", "create", "--name", "fuzzer", "--role", "admin")
    yield server, token
    server.stop()


@SCHEMA.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_no_input_gives_a_server_error(case, live):
    server, token = live
    for headers in ({"Authorization": f"Bearer {token}"}, {}):
        response = case.call(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=30)
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])

