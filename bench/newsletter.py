"""One essay to 10,000 subscribers through a local SMTP server: the worker's speed and memory.

    .venv/bin/python bench/newsletter.py [--subscribers 10000] [--baseline 1000]

A production-configured site in a temporary folder (SQLite), N confirmed subscribers and
one published essay ticked for email; an SMTP server (aiosmtpd, counting only) on
127.0.0.1; then the real worker, `manage.py db_worker --batch`, with no send-rate limit.
Printed: messages per second while sending, the worker's wall time, and its peak resident
memory (ru_maxrss), beside the same run with --baseline subscribers: the memory must stay
flat (ratio about 1.0) whatever the number of subscribers.
"""

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PYTHON, ROOT, Site, free_port

SEED = f"""
from blog.models import Post
from blog.newsletter.models import Mailing, Subscriber
from blog.newsletter.tasks import schedule
from django.core.management import call_command

Subscriber.objects.bulk_create(
    Subscriber(email=f"reader{{n}}@example.com", status="confirmed") for n in range(COUNT)
)
call_command("loaddata", "{ROOT / "fixtures" / "2023-09-09_autonomy.md"}", verbosity=0)
post = Post.objects.get()
Mailing.objects.create(post=post, send=True)
schedule(post.pk)
print(len(post.body_html))
"""

# The worker under a parent that reports its children's peak memory once it has exited.
MEASURED = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(code)
"""


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.first = self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
            self.count += 1
        return "250 OK"


def run(subscribers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        site = Site(Path(folder))
        site.manage("migrate", "--noinput")
        body = int(site.python(SEED.replace("COUNT", str(subscribers))))
        counter, port = Counter(), free_port()
        controller = Controller(counter, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            env = site.env | {
                "DJANGO_EMAIL_HOST": "127.0.0.1",
                "DJANGO_EMAIL_PORT": str(port),
                "DJANGO_EMAIL_USE_TLS": "0",
                "DJANGO_NEWSLETTER_SEND_RATE": "0",
            }
            command = [PYTHON, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
            start = time.monotonic()
            result = subprocess.run(
                [PYTHON, "-c", MEASURED, *command, "--verbosity", "0"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            wall = time.monotonic() - start
        finally:
            controller.stop()
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
        assert counter.count == subscribers, f"{counter.count} of {subscribers} emails sent"
        return {
            "subscribers": subscribers,
            "body_kb": body / 1024,
            "rate": (counter.count - 1) / max(counter.last - counter.first, 1e-9),
            "wall": wall,
            "peak_mb": int(result.stdout.split()[-1]) / 1024,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    args = parser.parse_args()
    baseline, measured = run(args.baseline), run(args.subscribers)
    print(f"essay body: {measured['body_kb']:.1f} KB of HTML; worker: db_worker --batch, SQLite")
    for figures in (baseline, measured):
        print(
            f"{figures['subscribers']:>7,} subscribers: {figures['rate']:7.1f} messages/s, "
            f"{figures['wall']:6.1f} s in all, peak memory {figures['peak_mb']:5.1f} MB"
        )
    ratio = measured["peak_mb"] / baseline["peak_mb"]
    print(f"peak memory {args.subscribers:,} vs {args.baseline:,} subscribers: {ratio:.2f}x")


if __name__ == "__main__":
    main()
