import base64
import shutil
import socket
import subprocess
import time

import pytest
from fake_loki import FakeLoki, Scripted

from nl2logql.engine import loki
from nl2logql.engine.backend import Backend, create_backend
from nl2logql.engine.loki import LokiBackend
from nl2logql.errors import BackendError, PatternsUnavailable
from nl2logql.logql.units import HOUR, SECOND

START = 1_733_011_200 * SECOND  # 2024-12-01T00:00:00Z
END = 1_735_689_601 * SECOND    # 2025-01-01T00:00:01Z
METRIC = 'sum by (application) (count_over_time({service_name="openssh"}[1h]))'
LOGS = '{application="openssh-south-america"} |= "identification"'


@pytest.fixture
def sleeps(monkeypatch):
    """Backoff waits, recorded instead of slept."""
    waits = []
    monkeypatch.setattr(loki, "_sleep", waits.append)
    return waits


@pytest.fixture
def client(fake_loki, sleeps):
    return LokiBackend(fake_loki.url, timeout=2.0)


# -- what goes out ---------------------------------------------------------------------


def test_instant_query_sends_loki_parameters_in_nanoseconds(client, fake_loki):
    data = client.query(METRIC, time=END, limit=50, direction="forward")
    sent = fake_loki.last
    assert sent.path == "/loki/api/v1/query"
    assert sent.param("query") == METRIC
    assert sent.param("time") == str(END)
    assert sent.param("limit") == "50"
    assert sent.param("direction") == "forward"
    assert data["resultType"] == "vector"
    assert {"metric", "value"} <= set(data["result"][0])


def test_range_query_parameters(client, fake_loki):
    data = client.query_range(LOGS, start=START, end=END, limit=1000)
    sent = fake_loki.last
    assert sent.path == "/loki/api/v1/query_range"
    assert (sent.param("start"), sent.param("end")) == (str(START), str(END))
    assert sent.param("limit") == "1000"
    assert sent.param("direction") == "backward"
    assert sent.param("step") is None  # Loki picks the step when none is named
    assert data["resultType"] == "streams"
    stream = data["result"][0]
    assert isinstance(stream["stream"], dict)
    timestamp, line = stream["values"][0]
    assert timestamp.isdigit() and isinstance(line, str)


@pytest.mark.parametrize("step_ns, sent", [(60 * SECOND, "60"), (SECOND // 2, "0.5")])
def test_step_goes_out_as_float_seconds(client, fake_loki, step_ns, sent):
    data = client.query_range(METRIC, start=START, end=END, step=step_ns)
    assert fake_loki.last.param("step") == sent
    assert data["resultType"] == "matrix"
    assert all(len(point) == 2 for series in data["result"] for point in series["values"])


def test_defaults_are_now_and_the_last_hour(client, fake_loki):
    before = time.time_ns()
    client.query(METRIC)
    client.query_range(LOGS)
    after = time.time_ns()
    instant, ranged = fake_loki.requests
    assert before <= int(instant.param("time")) <= after
    assert instant.param("limit") is None
    start, end = int(ranged.param("start")), int(ranged.param("end"))
    assert before <= end <= after and end - start == HOUR


def test_start_defaults_to_an_hour_before_a_given_end(client, fake_loki):
    client.labels(end=END)
    assert int(fake_loki.last.param("start")) == END - HOUR


def test_labels_and_values(client, fake_loki):
    names = client.labels(start=START, end=END)
    assert fake_loki.last.path == "/loki/api/v1/labels"
    assert fake_loki.last.param("start") == str(START)
    assert names == sorted(names) and "application" in names
    values = client.label_values("application", start=START, end=END)
    assert fake_loki.last.path == "/loki/api/v1/label/application/values"
    assert "openssh-us-east" in values and values == sorted(values)
    assert client.label_values("no_such_label") == []


def test_label_name_is_escaped_in_the_path(client, fake_loki):
    client.label_values("a/b")
    assert fake_loki.last.path == "/loki/api/v1/label/a%2Fb/values"


def test_series_sends_every_selector(client, fake_loki):
    found = client.series(['{application="openssh"}', '{application="hdfs", log_level="WARN"}'],
                          start=START, end=END)
    assert fake_loki.last.params["match[]"] == [
        '{application="openssh"}', '{application="hdfs", log_level="WARN"}']
    assert {"application": "openssh", "hostname": "LabSZ", "service_name": "openssh"} in found
    assert all(isinstance(labels, dict) for labels in found)
    assert {labels["application"] for labels in found} == {"openssh", "hdfs"}


def test_series_needs_a_selector(client):
    with pytest.raises(BackendError, match="at least one"):
        client.series([])


def test_volume(client, fake_loki):
    data = client.volume('{service_name=~".+"}', start=START, end=END, limit=10,
                         target_labels=["service_name"], aggregate_by="series")
    sent = fake_loki.last
    assert sent.path == "/loki/api/v1/index/volume"
    assert sent.param("query") == '{service_name=~".+"}'
    assert (sent.param("limit"), sent.param("targetLabels"), sent.param("aggregateBy")) == (
        "10", "service_name", "series")
    assert data["resultType"] == "vector"
    sizes = [int(entry["value"][1]) for entry in data["result"]]
    assert sizes == sorted(sizes, reverse=True)


def test_test_connection(client):
    assert client.test_connection().startswith(f"connected to Loki at {client.url}: ")


def test_is_a_registered_backend(fake_loki):
    backend = create_backend("loki", url=fake_loki.url)
    assert isinstance(backend, LokiBackend) and isinstance(backend, Backend)
    assert backend.name == "loki"


# -- authentication and tenancy -----------------------------------------------------


def test_basic_auth_and_org_id(fake_loki):
    LokiBackend(fake_loki.url, username="ann", password="s3cret:x", org_id="tenant-1").labels()
    headers = fake_loki.last.headers
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:s3cret:x").decode()
    assert headers["X-Scope-OrgID"] == "tenant-1"


def test_bearer_token(fake_loki):
    LokiBackend(fake_loki.url, bearer_token="tok").labels()
    assert fake_loki.last.headers["Authorization"] == "Bearer tok"
    assert "X-Scope-OrgID" not in fake_loki.last.headers


def test_no_credentials_sends_no_authorization(client, fake_loki):
    client.labels()
    assert "Authorization" not in fake_loki.last.headers


def test_basic_auth_and_bearer_token_together_are_refused():
    with pytest.raises(BackendError, match="not both"):
        LokiBackend("http://127.0.0.1:3100", username="a", password="b", bearer_token="t")


@pytest.mark.parametrize("url", ["localhost:3100", "ftp://host", "http://"])
def test_bad_address(url):
    with pytest.raises(BackendError, match="not a Loki address"):
        LokiBackend(url)


def test_missing_tls_files_are_one_line_errors(tmp_path):
    with pytest.raises(BackendError, match="cannot load Loki TLS files") as caught:
        LokiBackend("https://127.0.0.1:3100", ca_cert=str(tmp_path / "missing.pem"))
    assert "\n" not in str(caught.value)


# -- configuration from the environment, as logcli reads it ------------------------


def test_from_env(fake_loki, tmp_path):
    env = {"LOKI_ADDR": fake_loki.url + "/", "LOKI_USERNAME": "ann", "LOKI_PASSWORD": "pw",
           "LOKI_ORG_ID": "team-a"}
    backend = LokiBackend.from_env(env)
    assert backend.url == fake_loki.url
    backend.labels()
    assert fake_loki.last.headers["Authorization"].startswith("Basic ")
    assert fake_loki.last.headers["X-Scope-OrgID"] == "team-a"


def test_explicit_arguments_win_over_env(fake_loki):
    env = {"LOKI_ADDR": "http://127.0.0.1:1", "LOKI_BEARER_TOKEN": "from-env",
           "LOKI_ORG_ID": "env-tenant"}
    backend = LokiBackend.from_env(env, url=fake_loki.url, org_id="cli-tenant", timeout=1.0)
    backend.labels()
    assert fake_loki.last.headers["Authorization"] == "Bearer from-env"
    assert fake_loki.last.headers["X-Scope-OrgID"] == "cli-tenant"


def test_from_env_reads_the_process_environment_and_token_file(fake_loki, monkeypatch,
                                                               tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("file-token\n")
    monkeypatch.setenv("LOKI_ADDR", fake_loki.url)
    monkeypatch.setenv("LOKI_BEARER_TOKEN_FILE", str(token_file))
    monkeypatch.delenv("LOKI_BEARER_TOKEN", raising=False)
    monkeypatch.delenv("LOKI_USERNAME", raising=False)
    monkeypatch.delenv("LOKI_PASSWORD", raising=False)
    LokiBackend.from_env().labels()
    assert fake_loki.last.headers["Authorization"] == "Bearer file-token"


def test_default_address_is_logcli_s():
    assert LokiBackend.from_env({}).url == "http://localhost:3100"


# -- retries --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_retries_then_succeeds(client, fake_loki, sleeps, status):
    fake_loki.fail(status, "overloaded", times=2)
    assert client.labels()
    assert len(fake_loki.requests) == 3
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_a_dropped_connection_is_retried(client, fake_loki, sleeps):
    fake_loki.drop()
    assert client.labels()
    assert len(fake_loki.requests) == 2 and sleeps == [0.5]


def test_gives_up_after_the_last_try(client, fake_loki, sleeps):
    fake_loki.fail(503, "ingester not ready", times=5)
    with pytest.raises(BackendError) as caught:
        client.labels()
    assert str(caught.value) == f"Loki at {client.url} answered 503: ingester not ready"
    assert len(fake_loki.requests) == 3 and len(sleeps) == 2


def test_retry_after_is_honoured_and_capped(client, fake_loki, sleeps):
    fake_loki.throttle(retry_after="2")
    fake_loki.throttle(retry_after="3600")
    client.labels()
    fake_loki.throttle(retry_after="-1")
    fake_loki.throttle(retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    client.labels()
    assert sleeps == [2.0, loki.MAX_RETRY_AFTER_S, 0.0, 1.0]


def test_client_errors_are_not_retried(client, fake_loki, sleeps):
    fake_loki.fail(400, "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
    with pytest.raises(BackendError) as caught:
        client.query("unk({foo=\"bar\"}[5m])")
    assert str(caught.value) == (f"Loki at {client.url} answered 400: parse error at line 1, "
                                 "col 1: syntax error: unexpected IDENTIFIER")
    assert len(fake_loki.requests) == 1 and sleeps == []


def test_retry_count_is_configurable(fake_loki, sleeps):
    fake_loki.fail(500, times=5)
    with pytest.raises(BackendError):
        LokiBackend(fake_loki.url, retries=1).labels()
    assert len(fake_loki.requests) == 1 and sleeps == []


# -- failures, each one line with Loki's reason -------------------------------------


def test_loki_s_own_rejection_of_an_instant_log_query(client):
    with pytest.raises(BackendError, match="answered 400: log queries are not supported"):
        client.query(LOGS)


def test_json_error_body(client, fake_loki):
    fake_loki.fail(422, "invalid parameter \"step\":\nzero or negative", as_json=True)
    with pytest.raises(BackendError) as caught:
        client.query_range(METRIC)
    assert str(caught.value).endswith('answered 422: invalid parameter "step": zero or negative')


def test_huge_error_bodies_are_cut_to_one_line(client, fake_loki):
    fake_loki.fail(502, "<html>\n" + "bad gateway " * 500 + "</html>", times=3)
    with pytest.raises(BackendError) as caught:
        client.labels()
    message = str(caught.value)
    assert "\n" not in message and len(message) < 600


def test_malformed_json(client, fake_loki):
    fake_loki.malformed()
    with pytest.raises(BackendError) as caught:
        client.query(METRIC)
    message = str(caught.value)
    assert "malformed JSON" in message and "/loki/api/v1/query" in message
    assert "\n" not in message


def test_wrong_shape(client, fake_loki):
    fake_loki.script(Scripted(
        status=200, body='{"status":"success","data":{"x":1}}', content_type="application/json"))
    with pytest.raises(BackendError, match="without a list"):
        client.labels()


def test_unknown_path_says_404(fake_loki, sleeps):
    backend = LokiBackend(fake_loki.url + "/wrong-prefix")
    with pytest.raises(BackendError, match="answered 404: 404 page not found"):
        backend.labels()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_is_retried_then_reported(sleeps):
    backend = LokiBackend(f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(BackendError) as caught:
        backend.test_connection()
    assert str(caught.value) == f"cannot reach Loki at {backend.url}: connection refused"
    assert len(sleeps) == 2


def test_timeout_is_bounded_and_not_retried(fake_loki, sleeps):
    fake_loki.delay(5.0)
    backend = LokiBackend(fake_loki.url, timeout=0.2)
    began = time.monotonic()
    with pytest.raises(BackendError) as caught:
        backend.query(METRIC)
    assert time.monotonic() - began < 2.0
    assert "did not answer within 0.2 s" in str(caught.value)
    assert len(fake_loki.requests) == 1 and sleeps == []


def test_a_short_delay_within_the_timeout_is_fine(fake_loki):
    fake_loki.delay(0.05)
    assert LokiBackend(fake_loki.url, timeout=2.0).labels()


# -- TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: server cert, CA and client cert at once."""
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=30)
    return str(cert), str(key)


def test_https_with_a_ca_certificate(certificate, sleeps):
    cert, key = certificate
    with FakeLoki(tls_cert=cert, tls_key=key) as server:
        assert server.url.startswith("https://")
        assert LokiBackend(server.url, ca_cert=cert).labels()
        assert LokiBackend(server.url, tls_skip_verify=True).labels()


def test_an_untrusted_certificate_is_one_line_and_not_retried(certificate, sleeps):
    cert, key = certificate
    with FakeLoki(tls_cert=cert, tls_key=key) as server:
        with pytest.raises(BackendError) as caught:
            LokiBackend(server.url).labels()
    message = str(caught.value)
    assert message.startswith(f"cannot reach Loki at {server.url}: TLS: ")
    assert "CERTIFICATE_VERIFY_FAILED" in message and "\n" not in message
    assert sleeps == []


def test_client_certificate(certificate, sleeps):
    cert, key = certificate
    with FakeLoki(tls_cert=cert, tls_key=key, client_ca=cert) as server:
        assert LokiBackend(server.url, ca_cert=cert, client_cert=cert, client_key=key).labels()
        with pytest.raises(BackendError, match="TLS"):
            LokiBackend(server.url, ca_cert=cert).labels()
    assert sleeps == []


# -- patterns (Loki 3's pattern ingester) -------------------------------------------

SSH = '{service_name="openssh"}'


def test_patterns_request_and_parsing(client, fake_loki):
    found = client.patterns(SSH, start=START, end=END, step="1h")
    sent = fake_loki.last
    assert sent.path == "/loki/api/v1/patterns"
    assert (sent.param("query"), sent.param("start"), sent.param("end"), sent.param("step")) == (
        SSH, str(START), str(END), "1h")
    assert [item["pattern"] for item in found] == [
        item["pattern"] for item in fake_loki.patterns]
    failed = next(item for item in found if item["pattern"].startswith("Failed password"))
    assert failed["pattern"] == "Failed password for <_> from <_> port <_> ssh2"
    assert failed["level"] == "unknown"
    assert failed["count"] == sum(count for _, count in failed["samples"]) == 395
    assert all(isinstance(ts, int) and START // SECOND <= ts <= END // SECOND
               for item in found for ts, _ in item["samples"])


def test_patterns_in_loki_3_0_shape_and_defaults(client, fake_loki):
    fake_loki.patterns = [{"pattern": "<_> caller=grpc_logging.go:66 <_> level=error <_>",
                           "samples": [[1711839260, 1], [1711839270, 2]]},
                          {"pattern": "<_> no samples yet <_>", "level": "", "samples": []}]
    before = time.time_ns()
    found = client.patterns(SSH)
    assert found == [
        {"pattern": "<_> caller=grpc_logging.go:66 <_> level=error <_>", "level": None,
         "count": 3, "samples": [[1711839260, 1], [1711839270, 2]]},
        {"pattern": "<_> no samples yet <_>", "level": None, "count": 0, "samples": []}]
    sent = fake_loki.last
    assert sent.param("step") is None  # Loki picks the step when none is named
    start, end = int(sent.param("start")), int(sent.param("end"))
    assert end >= before and end - start == HOUR
    fake_loki.patterns = []
    assert client.patterns(SSH) == []


def test_a_loki_without_a_pattern_ingester(sleeps):
    with FakeLoki(patterns=None) as server:
        backend = LokiBackend(server.url)
        with pytest.raises(PatternsUnavailable) as caught:
            backend.patterns(SSH)
        assert len(server.requests) == 1 and sleeps == []
        assert backend.labels()  # the rest of the API still answers
    message = str(caught.value)
    assert isinstance(caught.value, BackendError) and "\n" not in message
    assert message.startswith(f"Loki at {backend.url} does not serve patterns (404: "
                              "404 page not found)")
    assert "pattern ingester" in message


@pytest.mark.parametrize("status, text, as_json", [
    (400, "pattern ingester is disabled", False),
    (503, "patterns are not enabled for this tenant", True),
])
def test_a_loki_that_says_patterns_are_off(client, fake_loki, status, text, as_json):
    fake_loki.fail(status, text, times=3, as_json=as_json)
    with pytest.raises(PatternsUnavailable) as caught:
        client.patterns(SSH)
    assert f"does not serve patterns ({status}: {text})" in str(caught.value)


def test_other_patterns_failures_stay_backend_errors(client, fake_loki):
    fake_loki.fail(400, "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER")
    with pytest.raises(BackendError) as caught:
        client.patterns("not a selector")
    assert not isinstance(caught.value, PatternsUnavailable)
    assert str(caught.value).endswith("answered 400: parse error at line 1, col 1: "
                                      "syntax error: unexpected IDENTIFIER")


@pytest.mark.parametrize("data, reason", [
    ('[{"samples": [[1711839260, 1]]}]', "malformed pattern"),
    ('[{"pattern": 7, "samples": []}]', "malformed pattern"),
    ('[{"pattern": "<_> x", "samples": [[1711839260]]}]', "malformed pattern"),
    ('[{"pattern": "<_> x", "samples": [["soon", 1]]}]', "malformed pattern"),
    ('[{"pattern": "<_> x", "samples": 5}]', "malformed pattern"),
    ('["<_> x"]', "malformed pattern"),
    ('{"pattern": "<_> x"}', "without a list"),
])
def test_malformed_patterns_are_backend_errors(client, fake_loki, data, reason):
    fake_loki.script(Scripted(status=200, body=f'{{"status":"success","data":{data}}}',
                              content_type="application/json"))
    with pytest.raises(BackendError, match=reason) as caught:
        client.patterns(SSH)
    assert not isinstance(caught.value, PatternsUnavailable)
    assert "/loki/api/v1/patterns" in str(caught.value) and "\n" not in str(caught.value)


def test_malformed_patterns_json(client, fake_loki):
    fake_loki.malformed()
    with pytest.raises(BackendError, match="malformed JSON"):
        client.patterns(SSH)


def test_patterns_send_auth_and_tenant(fake_loki):
    LokiBackend(fake_loki.url, username="ann", password="pw", org_id="tenant-1").patterns(SSH)
    headers = fake_loki.last.headers
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert headers["X-Scope-OrgID"] == "tenant-1"
    LokiBackend(fake_loki.url, bearer_token="tok").patterns(SSH)
    assert fake_loki.last.headers["Authorization"] == "Bearer tok"
