"""Worker processes for a build: one dossier job each, none outliving its build."""

from __future__ import annotations

import os

from casefile.errors import CaseError

# Each job carries everything its worker needs (it is pickled to it), so any start method works
# (tests build with "spawn"). "fork" is kept because a spawned worker first imports casefile
# and reportlab again: about 0.7 s of CPU per worker, +60-70 % on the sample case's 1.1 s build.
# ("forkserver" would make the server, not the build, each worker's parent: see worker_init.)
START_METHOD = "fork"


def worker_init(parent: int):
    """A worker must not outlive its build. After `kill -9` of the build an orphaned worker
    waited forever for work, holding the inherited build lock (every later build hung) and
    possibly still writing a temporary file into OUT/. On Linux the kernel now kills it when the
    build dies (PR_SET_PDEATHSIG); a watchdog thread covers the rest within 0.2 s."""
    import signal
    import sys
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch():
        import time

        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    if os.getppid() != parent:  # the build died before PR_SET_PDEATHSIG was set
        os._exit(1)
    threading.Thread(target=watch, name="casefile-watchdog", daemon=True).start()


def run_jobs(make, jobs: list, n: int, progress, discard) -> list:
    """Run make(job) for every job, in `n` worker processes (0: one per core); each job is
    pickled to its worker with everything it needs, and returns a list of results. On any
    failure `discard` is given every result made, and the problems of all jobs are raised
    together."""
    workers = min(len(jobs), n or os.cpu_count() or 1)
    results: list = []
    if workers <= 1:
        try:
            for job in jobs:
                results += make(job)
                if progress:
                    progress(len(results))
        except BaseException:
            discard(results)
            raise
        return sorted(results)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    errors: list[BaseException] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(START_METHOD),
                             initializer=worker_init, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(make, job) for job in jobs]
        for fut in as_completed(futures):
            try:
                results += fut.result()
            except BaseException as e:  # collect; every other dossier still finishes
                errors.append(e)
            if progress:
                progress(len(results))
    if errors:
        discard(results)
        problems = [p for e in errors if isinstance(e, CaseError) for p in e.problems]
        if problems:
            raise CaseError(problems, max(e.exit_code for e in errors if isinstance(e, CaseError)))
        raise errors[0]
    return sorted(results)
