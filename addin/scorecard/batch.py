"""Workbooks refreshed in several processes, a batch that outlives any one of them.

Each worker process takes one job at a time over a pipe, so the parent always knows which workbook a
worker has in hand. When a worker dies (killed by the operating system when memory runs short, or by
anyone), that one job gets the outcome ``lost(job, how)`` gives, a new worker takes the dead one's
place, and the rest of the batch carries on. Outcomes are given in the jobs' order, whatever order
the workers finish in. (``concurrent.futures`` cannot do this: one dead worker breaks its whole pool,
and which job it was running is not known.)
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

Job = TypeVar("Job")
Outcome = TypeVar("Outcome")


def _serve(connection: Connection, work: Callable[[Any], Any]) -> None:
    """A worker: run each job it is sent and send back its outcome, until it is sent None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle: it stops the workers
    while True:
        try:
            job = connection.recv()
        except EOFError:  # the parent has gone
            return
        if job is None:
            return
        connection.send(work(job))


def _context() -> Any:
    # fork where there is one, so workers start with the parent's imports (and its cached rules) loaded
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else None)


def how_it_ended(exitcode: int | None) -> str:
    """A dead worker's end, in words: 'killed by signal SIGKILL', 'exit status 1'."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit status {exitcode}"


class _Worker:
    def __init__(self, context: Any, work: Callable[[Any], Any]):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work), daemon=True)
        self.process.start()
        child.close()
        self.index: int | None = None  # the job in hand

    def give(self, index: int, job: Any) -> None:
        self.index = index
        self.connection.send(job)

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def run_in_workers(
    jobs: list[Job],
    workers: int,
    work: Callable[[Job], Outcome],
    lost: Callable[[Job, str], Outcome],
    progress: Callable[[Outcome], None],
) -> Iterator[Outcome]:
    """``work(job)`` for each job in up to ``workers`` processes; a job whose process dies gets
    ``lost(job, how)``. ``progress`` hears each outcome as it comes; they are yielded in the jobs' order."""
    context = _context()
    waiting = deque(enumerate(jobs))
    outcomes: dict[int, Outcome] = {}
    pool: list[_Worker] = []
    yielded = 0

    def hand_out(worker: _Worker) -> None:
        """Give the worker the next job, or mark it idle; a worker found dead is replaced first."""
        while waiting:
            if not worker.process.is_alive():
                pool.remove(worker)
                worker.connection.close()
                worker = _Worker(context, work)
                pool.append(worker)
            index, job = waiting.popleft()
            try:
                worker.give(index, job)
                return
            except OSError:  # it died between jobs: the job goes back, to a new worker
                waiting.appendleft((index, job))
                worker.process.join()
        worker.index = None

    try:
        for _ in range(min(workers, len(jobs))):
            worker = _Worker(context, work)
            pool.append(worker)
            hand_out(worker)
        while yielded < len(jobs):
            busy = [w for w in pool if w.index is not None]
            ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.connection not in ready and worker.process.sentinel not in ready:
                    continue
                index = worker.index
                assert index is not None  # busy
                try:
                    outcome = worker.connection.recv() if worker.connection.poll() else None
                except (EOFError, OSError):
                    outcome = None
                if outcome is None:  # no outcome: the worker died with the job in hand
                    worker.process.join()
                    outcome = lost(jobs[index], how_it_ended(worker.process.exitcode))
                outcomes[index] = outcome
                progress(outcome)
                hand_out(worker)
            while yielded in outcomes:
                yield outcomes.pop(yielded)
                yielded += 1
    finally:
        for worker in pool:
            if worker.index is not None:  # interrupted with a job in hand: stop it; its file is as it was
                worker.process.kill()
                worker.process.join()
                lost(jobs[worker.index], "stopped when the batch was interrupted")
                worker.connection.close()
            else:
                worker.stop()
