"""serve / shutdown / production-guard behaviour of the real binary."""
import subprocess
import time
from pathlib import Path

import requests


def test_serve_migrates_and_reports_health(loyalty, is_postgres):
    server = loyalty.serve()

    live = requests.get(server.url + "/health/live", timeout=10)
    assert live.status_code == 200, live.text
    assert live.headers.get("Content-Type", "").startswith("application/json")
    assert live.json() == {"status": "ok"}

    ready = requests.get(server.url + "/health/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert isinstance(body, dict) and body.get("status") == "ok", body

    if not is_postgres:
        db_file = Path(loyalty.env["LOYALTY_SQLITE_PATH"])
        assert db_file.is_file() and db_file.stat().st_size > 0, f"{db_file} was not created"


def test_sigterm_shuts_down_gracefully(loyalty):
    server = loyalty.serve()
    assert requests.get(server.url + "/health/live", timeout=10).status_code == 200
    code, seconds, killed = server.terminate(timeout=10)
    assert not killed, f"server still running 10 s after SIGTERM:\n{server.log()}"
    assert code == 0, f"exit code {code} after SIGTERM ({seconds:.1f}s):\n{server.log()}"


def test_production_refuses_to_start_without_secret_key(loyalty):
    port = str(loyalty.free_port())
    proc, log_path = loyalty.spawn(
        "serve", "--env", "production", "--hostname", "127.0.0.1", "--port", port,
        remove=("LOYALTY_SECRET_KEY",), stem="serve-production",
    )
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError("`loyalty serve --env production` without LOYALTY_SECRET_KEY "
                             "was still running after 30 s")
    output = log_path.read_text(errors="replace")
    assert code != 0, f"expected non-zero exit, got 0; output:\n{output}"
    assert "LOYALTY_SECRET_KEY" in output, f"output does not name LOYALTY_SECRET_KEY:\n{output}"


def test_json_logs_carry_the_request_id(loyalty):
    """LOYALTY_LOG_FORMAT=json writes one JSON object per line, with the request id."""
    import json

    import requests

    server = loyalty.serve({"LOYALTY_LOG_FORMAT": "json", "LOG_LEVEL": "info"})
    resp = requests.get(server.url + "/health/live", headers={"X-Request-Id": "json-log-1"}, timeout=15)
    assert resp.status_code == 200
    server.terminate()
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    access = [r for r in records if r.get("request-id") == "json-log-1"]
    assert access, server.log()[-3000:]
    assert access[0]["status"] == "200" and access[0]["path"] == "/health/live", access[0]
    assert {"time", "level", "message"} <= set(access[0]), access[0]


def test_crash_reports_are_quick_unless_the_operator_chose(loyalty):
    """The server re-executes itself with SWIFT_BACKTRACE set so that a crash does not spend
    many seconds symbolicating while it holds sockets (decision 0021); an operator's own
    setting is kept."""
    def environ_of(server) -> dict:
        raw = Path(f"/proc/{server.proc.pid}/environ").read_bytes().split(b"\0")
        return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)

    default = loyalty.serve(None)
    assert environ_of(default).get("SWIFT_BACKTRACE") == "enable=yes,interactive=no,symbolicate=off"
    assert requests.get(default.url + "/health/live", timeout=10).status_code == 200
    assert default.terminate()[0] == 0

    chosen = loyalty.serve({"SWIFT_BACKTRACE": "enable=yes,symbolicate=full"})
    assert environ_of(chosen).get("SWIFT_BACKTRACE") == "enable=yes,symbolicate=full"
