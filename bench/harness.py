"""Shared by the benchmarks: a corpus, a fresh site on it, the production server, a
throwaway PostgreSQL server, wrk.

Everything listens on 127.0.0.1 and every load run is bounded in time.
"""

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import corpus

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def make_corpus(folder: Path, posts: int) -> Path:
    """The project's own corpus (bench/corpus.py): the same essays in every run."""
    return corpus.write(folder, posts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Site:
    """A production-configured site in a temporary folder (SQLite unless database_url)."""

    folder: Path
    database_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
        return env | {
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url or f"sqlite:///{self.folder / 'site.db'}",
            "DJANGO_CACHE_DIR": str(self.folder / "cache"),
            "DJANGO_STATIC_ROOT": str(self.folder / "static"),
            "DJANGO_MEDIA_ROOT": str(self.folder / "media"),
            "DJANGO_SETTINGS_MODULE": "site_config.settings",
            "ACCESS_LOG": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }

    def manage(self, *args: str, **env: str) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env | env,
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def python(self, code: str) -> str:
        """Run code in a process configured as the site; return what it prints."""
        result = subprocess.run(
            [PYTHON, "-c", "import django; django.setup()\n" + code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(result.stderr)
        return result.stdout

    def setup(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")

    @contextlib.contextmanager
    def server(self, workers: int | None = None, command: str = "") -> Iterator["Server"]:
        """The server as `make serve` runs it (site_config.serve), with `workers` if given;
        or `command`, another server's ({bind}: its address), to compare with."""
        port = free_port()
        log = self.folder / "server.log"
        bind = f"127.0.0.1:{port}"
        process = subprocess.Popen(
            shlex.split(command.format(bind=bind)) or [PYTHON, "-m", "site_config.serve"],
            cwd=ROOT,
            env=self.env | {"BIND": bind} | ({"WEB_CONCURRENCY": str(workers)} if workers else {}),
            stdout=log.open("a"),  # a file: an unread pipe would fill up and block the server
            stderr=subprocess.STDOUT,
        )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        try:
            server.wait_ready()
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            if get(self.url + "/healthz")[0]:
                return
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def workers(self) -> list[int]:
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    def worker_memory_mib(self, field: str = "VmHWM") -> list[float]:
        """Each worker's memory in MiB: peak resident (VmHWM), resident now (VmRSS)..."""
        return [
            int(re.search(rf"{field}:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())[1])
            / 1024
            for pid in self.workers()
        ]


def get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    """Status and body; status 0 when there was no HTTP answer in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return 0, str(error).encode()


@dataclass
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int


# Each request gets a query string of its own: the page cache never hits.
CACHE_BUSTER = """
local counter = 0
function setup(thread) thread:set("id", tostring(math.random(1, 1e9))) end
function init(args) prefix = wrk.path .. "?cold=" .. id .. "-" end
function request()
  counter = counter + 1
  return wrk.format("GET", prefix .. counter)
end
"""


def wrk(url: str, seconds: int = 10, connections: int = 32, cold: bool = False) -> LoadResult:
    """Load url with Debian's wrk for a bounded time and parse its report."""
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if cold:
            script.write(CACHE_BUSTER)
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
        ).stdout
    if os.environ.get("BENCH_VERBOSE"):
        print(out)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    return LoadResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        errors=errors,
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
    )


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


@contextlib.contextmanager
def postgres(folder: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A throwaway PostgreSQL server on 127.0.0.1; yields its URL, stop() and start()."""
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    folder.mkdir()
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        folder.parent.chmod(0o711)
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True)

    def start() -> None:
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(folder / "log")
        pg(f"{pgbin}/pg_ctl", "-D", str(data), "-l", log, "-o", options, "-w", "start")

    def stop() -> None:
        pg(f"{pgbin}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")

    pg(f"{pgbin}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    start()
    try:
        pg(f"{pgbin}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "essays")
        yield f"postgresql://postgres@127.0.0.1:{port}/essays", stop, start
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            stop()
