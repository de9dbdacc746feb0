"""A real server for the browser tests, started once per session.

pytest-django's live_server cannot be used: it empties the database between tests, and the
append-only triggers refuse exactly that. So the server is `tracebureau runserver` on a fresh
SQLite file in a temporary folder, loaded through the services by seed.py.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent
USERNAME, PASSWORD = "navy.officer", "a-long-browser-password-1"
TOTP_KEY = bytes.fromhex("3132333435363738393031323334353637383930")  # seed.py's device


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; browser tests must run in CI")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tracebureau(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracebureau.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)  # our own server on 127.0.0.1
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {seconds} s")


def sign_in(
    page,
    server_url: str,
    *,
    landing: str,
    username: str = USERNAME,
    password: str = PASSWORD,
    second_factor: bool = True,
) -> None:
    """Password, then the code, starting from `landing` (where the browser ends). A code is
    accepted once, so if another test has just used this one, wait for the next. Without
    `second_factor`, the password alone (a press officer, who sees no individual)."""
    from django_otp.oath import totp

    page.goto(f"{server_url}{landing}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.keyboard.press("Enter")
    if not second_factor:
        page.wait_for_url(f"{server_url}{landing}")
        return
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    for _attempt in range(2):
        page.locator("#id_code").fill(f"{totp(TOTP_KEY):06d}")
        page.keyboard.press("Enter")
        try:
            page.wait_for_url(f"{server_url}{landing}", timeout=5_000)
            return
        except Exception:  # refused: the code was used a moment ago; wait for the next
            time.sleep(31 - time.time() % 30)
    raise AssertionError("the second factor was refused")


def server_env(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TRACEBUREAU_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tracebureau.settings",
        # The press test's small world: counts of a handful of people, published exactly.
        "TRACEBUREAU_PRESS_MIN_CELL": "3",
        "TRACEBUREAU_PRESS_ROUNDING": "1",
    }
    env.pop("DATABASE_URL", None)  # always the throwaway SQLite file, never a real database
    return env


def server_shell(data_dir: Path, command: str) -> str:
    """Run `command` in `tracebureau shell` against the server's database; what it printed."""
    return _tracebureau(server_env(data_dir), "shell", "--command", command).stdout


def server_worker(data_dir: Path) -> str:
    """Run the background jobs queued on the server (`tracebureau worker --batch`), then return."""
    return _tracebureau(server_env(data_dir), "worker", "--batch").stdout


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's data folder: its SQLite file, and what seed.py leaves there for the tests."""
    return tmp_path_factory.mktemp("tracebureau-data")


@pytest.fixture(scope="session")
def server_url(data_dir: Path) -> Iterator[str]:
    _require_chromium()
    env = server_env(data_dir)
    _tracebureau(env, "migrate", "--verbosity", "0")
    _tracebureau(env, "shell", "--command", (HERE / "seed.py").read_text())
    port = _free_port()
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "tracebureau.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The background job worker (reconciliations), as `tracebureau serve` starts it.
    worker = subprocess.Popen(
        [sys.executable, "-m", "tracebureau.cli", "worker", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{url}/accounts/login/", server)
        yield url
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(server_url: str) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
