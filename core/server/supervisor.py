"""The parent process: forks the workers, waits for a signal or a dead worker, stops them all.

The parent blocks SIGTERM, SIGINT and SIGCHLD and waits for them with sigwaitinfo, so no
signal is lost between checks; each worker restores the mask and handles SIGTERM/SIGINT in its
event loop. On stop every worker gets SIGTERM, and one that is still there after
`STOP_GRACE` seconds gets SIGKILL: the whole server is gone within a second.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import time

from .hooks import PreForkEnv, before_fork
from .worker import WorkerPlan, run_worker

log = logging.getLogger("siprouter.core")

STOP_GRACE = 0.7
_WATCHED = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}


def _fork_worker(plan: WorkerPlan, old_mask: set[int | signal.Signals]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        code = run_worker(plan)
    except BaseException:  # nothing may escape into the parent's code after fork
        log.exception("worker crashed")
    finally:
        os._exit(code)


def _reap(pids: set[int]) -> list[tuple[int, int]]:
    """Collect workers that have exited: (pid, wait status) of each."""
    gone = []
    while pids:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        if pid in pids:
            pids.discard(pid)
            gone.append((pid, status))
    return gone


def _stop(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_GRACE
    while pids and time.monotonic() < deadline:
        _reap(pids)
        if pids:
            time.sleep(0.01)
    for pid in pids:
        log.warning("worker %d did not stop: killing it", pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for pid in list(pids):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def supervise(plan: WorkerPlan) -> int:
    """Run the server: `children` workers (one runs in this process when it is 1). Returns
    the exit status: 0 after a stop signal, 1 when a worker died on its own."""
    if plan.settings.children <= 1:
        return run_worker(plan)
    before_fork(PreForkEnv(plan.script, plan.sockets, plan.settings.children))
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _WATCHED)
    pids = {_fork_worker(dataclasses.replace(plan, rank=rank), old_mask)
            for rank in range(plan.settings.children)}
    log.info("started %d workers: %s", len(pids), " ".join(map(str, sorted(pids))))
    status = 0
    try:
        while True:
            info = signal.sigwaitinfo(_WATCHED)
            if info.si_signo != signal.SIGCHLD:
                log.info("signal %d: stopping", info.si_signo)
                break
            gone = _reap(pids)
            if gone:
                for pid, st in gone:
                    log.error("worker %d exited (status %d): stopping the server", pid, st)
                status = 1
                break
    finally:
        _stop(pids)
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
    return status
