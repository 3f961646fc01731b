"""Shared fixtures for the system tests.

These tests run the real `loyalty` binary (``$LOYALTY_BIN`` or
``.build/debug/loyalty``) as a subprocess and talk to it over HTTP on
127.0.0.1.

Database selection:
  * ``TEST_POSTGRES_URL`` set (admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres):
    every test gets a scratch database ``loyalty_sys_<hex>`` created with psql,
    dropped (WITH (FORCE)) afterwards.
  * otherwise: every test gets a fresh SQLite file in its tmp dir.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
HTTP_TIMEOUT = 15.0
LOG_TAIL_CHARS = 20_000


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
    if candidates:
        return str(candidates[-1])
    pytest.fail("psql not found (run scripts/install-test-deps)")


def _psql_admin(admin_url: str, sql: str) -> None:
    proc = subprocess.run(
        [_psql(), admin_url, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql],
        capture_output=True, text=True, timeout=60,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"psql failed ({proc.returncode}) for {sql!r}:\n{proc.stdout}{proc.stderr}")


def _with_database(admin_url: str, dbname: str) -> str:
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + dbname))


def _tail(path: Path, limit: int = LOG_TAIL_CHARS) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "<no output file>"
    if len(text) > limit:
        return f"... ({len(text) - limit} chars cut) ...\n" + text[-limit:]
    return text


def _register_log(request, name: str, path: Path) -> None:
    logs = getattr(request.node, "_loyalty_logs", None)
    if logs is None:
        logs = []
        request.node._loyalty_logs = logs
    logs.append((name, path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach every server/CLI output file of the test to the report."""
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for name, path in getattr(item, "_loyalty_logs", []):
            rep.sections.append((f"loyalty output: {name} ({path})", _tail(path)))


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def loyalty_bin() -> Path:
    raw = os.environ.get("LOYALTY_BIN")
    path = Path(raw) if raw else REPO_ROOT / ".build" / "debug" / "loyalty"
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"loyalty binary not found at {path}. Build it first with `swift build` "
            f"(or point LOYALTY_BIN at it).",
            pytrace=False,
        )
    return path


@pytest.fixture
def database_env(tmp_path):
    """Fresh, empty database for one test, as the env vars the server reads."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if admin_url:
        dbname = "loyalty_sys_" + secrets.token_hex(6)
        _psql_admin(admin_url, f'CREATE DATABASE "{dbname}"')
        try:
            yield {"DATABASE_URL": _with_database(admin_url, dbname)}
        finally:
            _psql_admin(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    else:
        db_dir = tmp_path / "db"
        db_dir.mkdir()
        yield {"LOYALTY_SQLITE_PATH": str(db_dir / "loyalty.sqlite")}


@pytest.fixture
def is_postgres() -> bool:
    return bool(os.environ.get("TEST_POSTGRES_URL"))


class ServerProcess:
    def __init__(self, proc: subprocess.Popen, url: str, log_path: Path, port: int):
        self.proc = proc
        self.url = url
        self.log_path = log_path
        self.port = port

    def log(self) -> str:
        return _tail(self.log_path)

    def terminate(self, timeout: float = STOP_TIMEOUT):
        """SIGTERM, wait up to `timeout`, then SIGKILL. Returns (exit code, seconds, killed)."""
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0, False
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
            return code, time.monotonic() - start, False
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=10)
            return code, time.monotonic() - start, True


class Loyalty:
    """Runs `loyalty` commands and servers for one test against one database."""

    def __init__(self, request, binary: Path, env: dict, tmp_path: Path):
        self._request = request
        self.binary = binary
        self.env = env  # tests may modify before starting processes
        self.tmp_path = tmp_path
        self.servers: list[ServerProcess] = []
        self._n = 0

    def _next_log(self, stem: str) -> Path:
        self._n += 1
        path = self.tmp_path / f"{self._n:02d}-{stem}.log"
        _register_log(self._request, f"{self._n:02d}-{stem}", path)
        return path

    @staticmethod
    def free_port() -> int:
        return free_port()

    def make_env(self, extra_env: dict | None = None, remove: tuple = ()) -> dict:
        env = dict(self.env)
        env.update(extra_env or {})
        for key in remove:
            env.pop(key, None)
        return env

    def run(self, *args: str, extra_env: dict | None = None, remove: tuple = (),
            timeout: float = 120.0) -> subprocess.CompletedProcess:
        """Run a command to completion; stdout+stderr merged into .stdout."""
        log_path = self._next_log(args[0] if args else "run")
        with open(log_path, "wb") as out:
            proc = subprocess.run(
                [str(self.binary), *args], cwd=REPO_ROOT,
                env=self.make_env(extra_env, remove),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        return subprocess.CompletedProcess(proc.args, proc.returncode,
                                           log_path.read_text(errors="replace"), "")

    def spawn(self, *args: str, extra_env: dict | None = None, remove: tuple = (),
              stem: str = "proc") -> tuple[subprocess.Popen, Path]:
        log_path = self._next_log(stem)
        out = open(log_path, "wb")
        try:
            proc = subprocess.Popen(
                [str(self.binary), *args], cwd=REPO_ROOT,
                env=self.make_env(extra_env, remove),
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )
        finally:
            out.close()
        return proc, log_path

    def serve(self, extra_env: dict | None = None, *extra_args: str) -> ServerProcess:
        """Start `loyalty serve` on a free port and wait for /health/live == 200."""
        port = free_port()
        proc, log_path = self.spawn(
            "serve", "--hostname", "127.0.0.1", "--port", str(port), *extra_args,
            extra_env=extra_env, stem=f"serve-{port}",
        )
        server = ServerProcess(proc, f"http://127.0.0.1:{port}", log_path, port)
        self.servers.append(server)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error = "no attempt"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"`loyalty serve` exited early with code {proc.returncode}; output:\n"
                            f"{server.log()}", pytrace=False)
            try:
                resp = requests.get(server.url + "/health/live", timeout=2)
                if resp.status_code == 200:
                    return server
                last_error = f"HTTP {resp.status_code}: {resp.text[:200]}"
            except requests.RequestException as exc:
                last_error = repr(exc)
            time.sleep(0.1)
        pytest.fail(f"`loyalty serve` not live after {STARTUP_TIMEOUT:.0f}s (last: {last_error}); "
                    f"output:\n{server.log()}", pytrace=False)

    def stop_all(self) -> None:
        for server in self.servers:
            server.terminate()
        self.servers.clear()


@pytest.fixture
def loyalty(request, loyalty_bin, database_env, tmp_path):
    """Per-test handle: `loyalty.run(...)`, `loyalty.serve(...)`, `loyalty.env`."""
    env = {k: v for k, v in os.environ.items()
           if not (k.startswith("LOYALTY_") or k in ("DATABASE_URL", "TEST_POSTGRES_URL"))}
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env.update(database_env)
    env.update({
        "LOYALTY_SECRET_KEY": secrets.token_hex(32),  # 64 hex chars
        "LOYALTY_BCRYPT_COST": "4",
        "LOYALTY_DATA_DIR": str(data_dir),
    })
    handle = Loyalty(request, loyalty_bin, env, tmp_path)
    try:
        yield handle
    finally:
        handle.stop_all()


@pytest.fixture(scope="session")
def apple_wallet_env(tmp_path_factory) -> dict:
    """Apple Wallet settings for a server: a throwaway Apple-shaped PKI made with openssl
    (scripts/make-wallet-test-pki) and an https public URL, so passes carry a web service.
    The root that verifies the passes is in ``LOYALTY_TEST_APPLE_ROOT``, the PKI's folder in
    ``LOYALTY_TEST_APPLE_PKI`` (neither is read by the app)."""
    pki = tmp_path_factory.mktemp("wallet-pki")
    subprocess.run([str(REPO_ROOT / "scripts" / "make-wallet-test-pki"), str(pki), "pass.test.loyalty", "TEST123456"],
                   check=True, capture_output=True, timeout=120)
    return {
        "LOYALTY_APPLE_PASS_TYPE_ID": "pass.test.loyalty",
        "LOYALTY_APPLE_TEAM_ID": "TEST123456",
        "LOYALTY_APPLE_WWDR_CERT_PATH": str(pki / "wwdr.pem"),
        "LOYALTY_APPLE_SIGNER_CERT_PATH": str(pki / "signer.pem"),
        "LOYALTY_APPLE_SIGNER_KEY_PATH": str(pki / "signer.key"),
        "LOYALTY_PUBLIC_BASE_URL": "https://loyalty.example.test",
        "LOYALTY_TEST_APPLE_ROOT": str(pki / "root.pem"),
        "LOYALTY_TEST_APPLE_PKI": str(pki),
    }


@pytest.fixture
def google_wallet_env(request, tmp_path) -> dict:
    """Google Wallet settings for a server, pointing at a fresh Google stand-in
    (system-tests/google_standin.py) that trusts a new service-account key. The stand-in's URL,
    its JSON-lines record and the key's public half are in ``LOYALTY_TEST_GOOGLE_URL``,
    ``LOYALTY_TEST_GOOGLE_RECORD`` and ``LOYALTY_TEST_GOOGLE_PUBLIC_KEY`` (not read by the app).
    Parametrized indirectly, the parameter is the access tokens' lifetime in seconds."""
    from google_standin import ISSUER_ID, StandinProcess, make_service_account
    folder = tmp_path / "google"
    port = free_port()
    account = make_service_account(folder, f"http://127.0.0.1:{port}/token")
    standin = StandinProcess(folder, port, account["public_key"], account["account"]["private_key_id"],
                             token_lifetime=getattr(request, "param", None))
    try:
        yield {
            "LOYALTY_GOOGLE_ISSUER_ID": ISSUER_ID,
            "LOYALTY_GOOGLE_SERVICE_ACCOUNT_JSON": account["json"],
            "LOYALTY_GOOGLE_API_BASE_URL": f"{standin.url}/walletobjects/v1",
            "LOYALTY_PUBLIC_BASE_URL": "https://loyalty.example.test",
            "LOYALTY_TEST_GOOGLE_URL": standin.url,
            "LOYALTY_TEST_GOOGLE_RECORD": str(standin.record_path),
            "LOYALTY_TEST_GOOGLE_PUBLIC_KEY": account["public_key"],
        }
    finally:
        standin.stop()


@pytest.fixture
def server(loyalty) -> ServerProcess:
    """One running server on a fresh database."""
    return loyalty.serve()


# --------------------------------------------------------------------------
# small HTTP helpers shared by tests (exposed as a fixture to avoid imports)
# --------------------------------------------------------------------------

class Api:
    timeout = HTTP_TIMEOUT

    @staticmethod
    def login(base_url: str, email: str, password: str, **kw) -> requests.Response:
        return requests.post(f"{base_url}/api/v1/auth/login",
                             json={"email": email, "password": password},
                             timeout=HTTP_TIMEOUT, **kw)

    @staticmethod
    def me(base_url: str, token: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.get(f"{base_url}/api/v1/auth/me", headers=headers, timeout=HTTP_TIMEOUT)

    @staticmethod
    def assert_error(resp: requests.Response, status: int, code: str) -> dict:
        assert resp.status_code == status, f"expected {status}, got {resp.status_code}: {resp.text[:500]}"
        assert resp.headers.get("Content-Type", "").startswith("application/json"), \
            f"error response is not JSON: {resp.headers.get('Content-Type')!r} {resp.text[:300]}"
        body = resp.json()
        assert isinstance(body, dict) and set(body) == {"error"}, body
        err = body["error"]
        assert isinstance(err, dict), body
        assert isinstance(err.get("code"), str), body
        assert isinstance(err.get("message"), str), body
        assert isinstance(err.get("details"), dict), body
        assert err["code"] == code, body
        return err


@pytest.fixture
def api() -> type[Api]:
    return Api
