"""Independent computations of one chapter (e.g. the Z′ scans of several models) in parallel processes.

The tasks and the function are inherited by forked worker processes, so they need not be picklable
(a fitted likelihood with its kernels is passed by reference, not sent); only the results travel back.
Where ``fork`` is not available (Windows, or macOS by policy), one worker is asked for, or this process
is itself a pool's worker, the tasks run one after the other in this process, with the same results.

The number of workers defaults to the CPUs this process may use; ``CEVNS_WORKERS`` overrides it
(``cevns sweep`` and the dashboard set it to 1 in their parallel runs, so that processes are not
nested).
"""

import multiprocessing
import os
import sys

WORKERS_ENV = "CEVNS_WORKERS"

_JOB = None
"""(function, tasks) of the running :func:`parallel_map`, inherited by the forked workers."""


def default_workers() -> int:
    """Workers for :func:`parallel_map`: ``$CEVNS_WORKERS`` if set, else the CPUs available here."""
    value = os.environ.get(WORKERS_ENV)
    if value is not None:
        try:
            n = int(value)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"{WORKERS_ENV} must be a positive integer, got {value!r}")
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:                                      # not on Linux
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _run(i):
    function, tasks = _JOB
    return function(tasks[i])


def parallel_map(function, tasks, workers=None) -> list:
    """``[function(t) for t in tasks]``, computed in up to ``workers`` forked processes.

    Parameters
    ----------
    function : callable
        Takes one task; its result must be picklable (arrays, dataclasses of arrays).
    tasks : sequence
    workers : int, optional
        Default :func:`default_workers`; 1 runs in this process.

    Returns
    -------
    list
        The results, in the order of ``tasks``.
    """
    global _JOB
    tasks = list(tasks)
    workers = default_workers() if workers is None else workers
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    workers = min(workers, len(tasks))
    if workers <= 1 or not _can_fork() or multiprocessing.current_process().daemon:
        return [function(t) for t in tasks]                     # (a pool's worker may not fork)
    _JOB = (function, tasks)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_run, range(len(tasks)), chunksize=1)
    finally:
        _JOB = None


class Background:
    """The result of :func:`in_background` (or one of :func:`in_background_each`): :meth:`result`
    returns it (waiting for the process) or raises the error of the computation."""

    def __init__(self, function, args=(), kwargs=None, needs=None):
        self._call = (function, args, kwargs or {})
        self._needs = dict(needs or {})                        # keyword → the job whose result it receives
        self._process = self._pipe = None
        self._group = [self]                                    # the jobs of one process
        self._outcome = None

    def result(self):
        """The function's return value; re-raises its exception (computed here when not started)."""
        if self._outcome is None:
            if self._process is None:
                function, args, kwargs = self._call
                try:
                    inputs = {name: job.result() for name, job in self._needs.items()}
                    self._outcome = (True, function(*args, **kwargs, **inputs))
                except Exception as exc:                        # noqa: BLE001 (kept, re-raised below)
                    self._outcome = (False, exc)
            else:
                self._outcome = self._receive()
        ok, value = self._outcome
        if not ok:
            raise value
        return value

    def _receive(self):
        """The outcome sent by the background process (a RuntimeError naming the call if none came)."""
        try:
            outcome, why = self._pipe.recv(), None
        except Exception as exc:                                # noqa: BLE001 (EOF: died; or a broken message)
            outcome, why = None, exc
        self._pipe.close()
        if outcome is None or all(job._outcome is not None for job in self._group if job is not self):
            self._process.join()                                # its last result (or it died)
        if outcome is not None:
            return outcome
        error = RuntimeError(f"the background process of {self._call[0].__name__} ended without a result "
                             f"(exit code {self._process.exitcode}); run it in the foreground to see why")
        error.__cause__ = None if isinstance(why, EOFError) else why
        return (False, error)


def _start(jobs):
    """Fork one process that computes ``jobs`` one after the other, each result sent on its own pipe."""
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe(duplex=False) for _ in jobs]
    calls = [(*j._call, {name: jobs.index(dep) for name, dep in j._needs.items()}) for j in jobs]
    # daemonic: ended with this process when it exits normally
    process = context.Process(target=_send_results, args=(pipes, calls, os.getpid()), daemon=True)
    process.start()
    for job, (receive, send) in zip(jobs, pipes):
        send.close()                                            # EOF here if the process dies
        job._process, job._pipe, job._group = process, receive, jobs


def _send_results(pipes, calls, parent_pid):
    import signal
    import threading
    import traceback

    from multiprocessing.reduction import ForkingPickler

    signal.signal(signal.SIGINT, signal.SIG_IGN)                # a kernel interrupt is for the caller
    os.environ[WORKERS_ENV] = "1"                               # serial inside: the caller keeps a core
    for receive, _ in pipes:
        receive.close()                                         # only the caller reads: a send to a
    outcomes, senders = [], []                                  # dropped handle fails (EPIPE) instead of waiting
    for (_, pipe), (function, args, kwargs, needs) in zip(pipes, calls):
        if os.getppid() != parent_pid:                          # the caller is gone: stop
            break
        failed = next((outcomes[k] for k in needs.values() if not outcomes[k][0]), None)
        if failed is not None:                                  # an input failed: so does this call
            outcome = failed
        else:
            try:
                outcome = (True, function(*args, **kwargs, **{name: outcomes[k][1] for name, k in needs.items()}))
            except BaseException as exc:                        # noqa: BLE001 (re-raised by result())
                exc.add_note("in the background process:\n" + traceback.format_exc())
                outcome = (False, exc)
        outcomes.append(outcome)
        try:
            message = ForkingPickler.dumps(outcome)
        except Exception as exc:                                # noqa: BLE001 (an unpicklable result)
            message = ForkingPickler.dumps((False, RuntimeError(
                f"the result of {getattr(function, '__name__', 'a call')} cannot be sent from the background "
                f"process ({type(exc).__name__}: {exc}); return arrays, numbers or dataclasses of them")))
        # a message larger than the pipe's buffer waits for its reader: send it from a thread, so
        # that the next computation starts now, whenever the caller collects this one
        senders.append(threading.Thread(target=_send, args=(pipe, message)))
        senders[-1].start()
    for sender in senders:
        sender.join()


def _send(pipe, message):
    try:
        pipe.send_bytes(message)
    except OSError:                                             # the caller dropped the handle, or ended
        pass
    finally:
        pipe.close()


def _may_start() -> bool:
    return default_workers() > 1 and _can_fork() and not multiprocessing.current_process().daemon


def in_background(function, *args, **kwargs) -> Background:
    """Start ``function(*args, **kwargs)`` in a forked process while this one goes on (e.g. a
    chapter's slow fit while it draws its figures); :meth:`Background.result` collects it.

    The process runs serially inside (``CEVNS_WORKERS=1``). With one worker (:func:`default_workers`),
    without ``fork``, or in a pool's worker, nothing is started and ``result()`` computes it in this
    process: the same value, later. The return value must be picklable.
    """
    job = Background(function, args, kwargs)
    if _may_start():
        _start([job])
    return job


def in_background_each(**calls) -> dict:
    """Start the ``calls`` (name → callable) in ONE forked process, one after the other in the order
    given, while this process goes on; returns name → :class:`Background`, each result collectable
    as soon as it is computed (order the calls as they will be read).

    A call takes no arguments, or parameters named after earlier calls, whose results it receives
    (``land=lambda more: …`` gets the result of ``more``; if that failed, so does this call).

    One process, not one per call: this one keeps a core of its own (e.g. for a chapter's figures).
    As :func:`in_background` otherwise (serial inside; with one worker nothing is started and each
    ``result()`` computes its call here, when collected, after the calls it needs). The calls see
    the variables they use as they are at the fork, or, with one worker, when read: do not rebind
    them in between.
    """
    import inspect

    jobs = {}
    for name, call in calls.items():
        params = inspect.signature(call).parameters
        unknown = [p for p in params if p not in jobs]
        if unknown:
            raise ValueError(f"in_background_each: call {name!r} takes {', '.join(unknown)}, which name no "
                             f"earlier call; earlier calls: {', '.join(jobs) or 'none'}")
        jobs[name] = Background(call, needs={p: jobs[p] for p in params})
    if jobs and _may_start():
        _start(list(jobs.values()))
    return jobs


def one_worker_per_run():
    """For drivers that run several chapters at once (the dashboard, ``cevns sweep``, the test
    session): unless ``CEVNS_WORKERS`` is set, set it to 1 in this process's environment, which the
    chapter kernels inherit, so that their own :func:`parallel_map` runs serially instead of nesting
    processes."""
    os.environ.setdefault(WORKERS_ENV, "1")
