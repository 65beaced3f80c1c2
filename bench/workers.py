"""Celery workers for the benchmark's `celery` mode: start, measure, stop.

The workers are real `celery -A kontor.celery worker` processes on their own queue, started
before the run (warm, as in production) and stopped after it. Their peak RSS is read from
/proc (`VmHWM`) of every process of every worker (the prefork main process and its pool
children) before they are stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
QUEUE = "kontor-bench"


def worker_env(url: str, broker: str) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="kontor.settings")
    env.update(KONTOR_BROKER_URL=broker, KONTOR_CELERY_QUEUE=QUEUE, KONTOR_DEBUG="0")
    if not (ROOT / "var" / "secret_key").exists():
        env.setdefault("KONTOR_SECRET_KEY", "kontor-bench-only")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


class Workers:
    """`count` workers with `concurrency` pool processes each, on the benchmark queue."""

    def __init__(self, url: str, broker: str, count: int, concurrency: int = 1) -> None:
        self.env = worker_env(url, broker)
        self.count, self.concurrency = count, concurrency
        self.procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Workers:
        self.purge()
        celery = str(Path(sys.executable).with_name("celery"))
        for n in range(self.count):
            self.procs.append(
                subprocess.Popen(
                    [
                        celery,
                        "-A",
                        "kontor.celery",
                        "worker",
                        "-Q",
                        QUEUE,
                        f"--concurrency={self.concurrency}",
                        "--prefetch-multiplier=1",
                        "-n",
                        f"bench{n}@%h",
                        "--loglevel=WARNING",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                    ],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=open(f"/tmp/kontor-bench-worker{n}.log", "wb"),  # noqa: SIM115
                )
            )
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()

    def purge(self) -> None:
        subprocess.run(
            [str(Path(sys.executable).with_name("celery")), "-A", "kontor.celery", "purge",
             "-f", "-Q", QUEUE],
            cwd=ROOT, env=self.env, capture_output=True, check=False,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 60) -> None:
        """Until every worker has its pool processes (the workers have imported Django)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(len(_children(p.pid)) >= self.concurrency for p in self.procs):
                time.sleep(1.0)  # connected to the broker
                return
            if any(p.poll() is not None for p in self.procs):
                raise SystemExit("a benchmark worker died; see /tmp/kontor-bench-worker*.log")
            time.sleep(0.2)
        raise SystemExit("benchmark workers did not start")

    def peak_rss_mb(self) -> list[dict[str, Any]]:
        """Peak RSS of every process of every worker, main process first."""
        found = []
        for n, proc in enumerate(self.procs):
            pids = [proc.pid, *_children(proc.pid)]
            found.append(
                {"worker": n, "processes_mb": [round(_hwm_kb(pid) / 1024, 1) for pid in pids]}
            )
        return found


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(x) for x in path.read_text().split()]
    except OSError:
        return []


def _hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
