"""schemathesis against the service's own OpenAPI schema, on a real server: no input gives a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.settings import ServiceSettings
from tests.api.live import Server

pytestmark = [pytest.mark.server, pytest.mark.sandbox]

# beyond "no 5xx": every answer's status code is documented and its body matches the documented schema
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# the schema needs no running app: building it starts nothing
SCHEMA = schemathesis.openapi.from_dict(create_app(ServiceSettings(workers=1)).openapi())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    server = Server(tmp_path_factory.mktemp("fuzz") / "data", workers=1, wait_timeout_s="2", max_queue="20")
    server.start()
    token = server.judge("token", "create", "--name", "fuzzer", "--role", "admin")
    yield server, token
    server.stop()


@SCHEMA.parametrize()
@hypothesis.settings(max_examples=30, deadline=None, suppress_health_check=list(hypothesis.HealthCheck),
                     database=None)
def test_no_input_gives_a_server_error(case, live):
    server, token = live
    for headers in ({"Authorization": f"Bearer {token}"}, {}):
        response = case.call(base_url=f"http://127.0.0.1:{server.port}", headers=headers, timeout=30)
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
        case.validate_response(response, checks=CHECKS)
