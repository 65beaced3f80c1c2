"""A billing run on two real Celery worker processes (RabbitMQ, PostgreSQL) bills exactly what
an in-process run bills: the chunks may run anywhere, in any order, at the same time."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kontor.billing.models import BillingRun, BillingRunEntry, RunStatus
from kontor.billing.runs import billing_run_create

AS_OF = date(2026, 1, 15)
BROKER = "amqp://guest:guest@127.0.0.1:5672//"
ACCOUNTS = 150
CHUNK_SIZE = 20
DONE_TIMEOUT = 120
SUCCEEDED = re.compile(
    r"Task kontor\.billing\.tasks\.process_billing_chunk\[[0-9a-f-]+\] succeeded"
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgresql_only")]


def rabbitmq_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def queue() -> Iterator[str]:
    """A queue of this test's own, so no other worker takes its tasks; deleted afterwards."""
    if not rabbitmq_reachable():
        pytest.skip("RabbitMQ is not reachable at 127.0.0.1:5672")
    name = f"kontor-test-{uuid.uuid4().hex[:12]}"
    yield name
    from kombu import Connection

    with Connection(BROKER) as broker:
        broker.default_channel.queue_delete(name)


@pytest.fixture
def workers(queue, child_process_env, tmp_path) -> Iterator[list[Path]]:
    """Two `celery worker` processes reading `queue`; their log files."""
    env = child_process_env(KONTOR_BROKER_URL=BROKER, KONTOR_CELERY_QUEUE=queue)
    logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
    processes = [start_worker(f"w{n}-{queue}", queue, env, log) for n, log in enumerate(logs, 1)]
    try:
        for process, log in zip(processes, logs, strict=True):
            wait_for_log(process, log, "ready.", timeout=60)
        yield logs
    finally:
        stop(processes)


def start_worker(name: str, queue: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "kontor.celery",
        "worker",
        "--concurrency=1",
        "--prefetch-multiplier=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
        f"--hostname={name}@%h",
        f"--queues={queue}",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_for_log(process: subprocess.Popen, log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, f"worker exited:\n{log.read_text(errors='replace')}"
        assert time.monotonic() < deadline, f"no {text!r} in {timeout} s:\n{log.read_text()}"
        time.sleep(0.1)


def stop(processes: list[subprocess.Popen]) -> None:
    """Warm shutdown; the whole process group (worker and its pool child) if it lingers."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_done(run_id: int, logs: list[Path]) -> BillingRun:
    deadline = time.monotonic() + DONE_TIMEOUT
    while time.monotonic() < deadline:
        run = BillingRun.objects.get(pk=run_id)
        if run.status == RunStatus.DONE:
            return run
        time.sleep(0.2)
    tails = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs)
    raise AssertionError(f"run {run_id} not done after {DONE_TIMEOUT} s:\n{tails}")


def test_chunks_on_two_celery_workers_bill_like_an_in_process_run(
    manager, population, facts, reference_run, workers, queue, child_process_env, runner
):
    accounts = population(ACCOUNTS)
    expected_charges, expected_invoices, expected_numbers = reference_run(AS_OF)
    run = billing_run_create(actor=manager, as_of=AS_OF)

    enqueue = subprocess.run(
        runner(run.pk, manager.pk),
        env=child_process_env(
            KONTOR_BROKER_URL=BROKER,
            KONTOR_CELERY_QUEUE=queue,
            KONTOR_BILLING_CHUNK_SIZE=str(CHUNK_SIZE),
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert enqueue.returncode == 0, enqueue.stderr
    done = wait_until_done(run.pk, workers)

    chunks = -(-ACCOUNTS // CHUNK_SIZE)
    succeeded = [len(re.findall(SUCCEEDED, log.read_text())) for log in workers]
    assert sum(succeeded) == chunks and all(succeeded), succeeded
    assert (done.accounts_total, done.accounts_done) == (ACCOUNTS, ACCOUNTS)
    assert not BillingRunEntry.objects.filter(run=done).exists()
    assert done.charges_created == len(expected_charges)
    assert done.invoices_finalized == len(accounts)
    assert facts.charges() == expected_charges
    assert facts.invoices() == expected_invoices
    assert facts.numbers() == expected_numbers == facts.gapless(len(accounts))
