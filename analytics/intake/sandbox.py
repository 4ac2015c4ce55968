"""Reading a submission in a worker held to memory and time limits: a file can never take the caller down.

The caller (the Streamlit server with its sessions' threads, the CLI) starts one long-lived worker process
once (`start_worker`): a fresh interpreter (never a fork of a threaded server) that imports the intake and
loads the catalog and regions, then waits for files. For each file it forks a child (cheap: everything is
already imported) that sets `RLIMIT_AS` to what it has plus `Limits.memory_bytes`, reads the file and sends
the `Submission` back pickled; the worker kills a child that runs over `Limits.seconds`. A child that runs
out of memory, is killed or crashes becomes one clear problem (`too_large` memory / time / crashed), never
an exception; the worker and the caller carry on. Files are read one at a time (a lock in the caller).

Where a worker cannot be started (no `fork`), files are read in the caller, still held to the limits that
are checked before parsing.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from analytics.errors import Problem, Words, problem
from analytics.i18n import LANGS
from analytics.intake.limits import LIMITS, Limits, size_text

ROOT = Path(__file__).resolve().parents[2]
_HEADER = struct.Struct("!Q")
_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_STARTUP_SECONDS = 120.0  # importing pandas, openpyxl and the intake on a busy 2-core machine


@dataclass(frozen=True)
class WorkerStats:
    """How the last file read in the worker went: outcome (ok, memory, time, crashed), seconds, and the
    child's peak resident memory in KB (ru_maxrss, which includes what it shared with the worker at fork)."""

    outcome: str
    seconds: float
    peak_kb: int | None = None


class _Said:
    """A `Words` field rendered in every language in the child (a closure does not pickle): formats the same."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def __format__(self, spec: str) -> str:
        return self.texts.get(spec if spec in self.texts else "zh", "")

    def __str__(self) -> str:
        return self.texts.get("zh", "")


# --- the caller's side ---------------------------------------------------------------------------------
class _Worker:
    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()
        self.last = WorkerStats("none", 0.0)

    def start(self) -> bool:
        """Start the worker if it is not running; False when it cannot be started here."""
        if not hasattr(os, "fork"):
            return False
        if self.proc is not None and self.proc.poll() is None:
            return True
        env = {**os.environ, **{k: "1" for k in _THREAD_ENV}}  # one thread: the children are forked from it
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from analytics.intake.sandbox import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=str(ROOT),
            start_new_session=True,  # a ^C in the caller's terminal is the caller's to handle
        )
        try:
            ready = _recv(self.proc.stdout, self.proc, _STARTUP_SECONDS)
        except _WorkerGone:
            self.stop()
            return False
        return ready == ("ready",)

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
        self.proc = None

    def read(self, kwargs: dict[str, Any], limits: Limits):
        with self.lock:
            start = time.perf_counter()
            if not self.start():
                return None
            try:
                _send(self.proc.stdin, ("read", kwargs, limits))
                reply = _recv(self.proc.stdout, self.proc, limits.seconds + 60)
            except (_WorkerGone, BrokenPipeError, OSError, pickle.PicklingError):
                self.stop()  # started again for the next file
                reply = ("crashed", "worker", None, None)
            outcome, payload, peak_kb, _seconds = reply
            self.last = WorkerStats(outcome, time.perf_counter() - start, peak_kb)
            return outcome, payload


_WORKER = _Worker()


def start_worker() -> bool:
    """Start the reading worker now (the app calls it when the data page is first opened, so the first upload
    does not wait for the worker's imports); True when files will be read in it."""
    with _WORKER.lock:
        return _WORKER.start()


def stop_worker() -> None:
    with _WORKER.lock:
        _WORKER.stop()


def last_stats() -> WorkerStats:
    """How the last file read in the worker went (for the benchmark and tests)."""
    return _WORKER.last


def read_in_worker(kwargs: dict[str, Any], limits: Limits = LIMITS):
    """`read_submission(**kwargs)` run in the worker's child; None when no worker can run here (the caller
    then reads in-process). Never raises for what the file does: a refusal is a Submission with one problem."""
    from analytics.catalog import load_catalog
    from analytics.intake.submission import Submission
    from analytics.regions import load_regions

    sent = dict(kwargs)
    # the worker has the default catalog and regions loaded: send them only when they are not those
    if sent.get("catalog") is load_catalog():
        sent["catalog"] = None
    if sent.get("regions") is load_regions():
        sent["regions"] = None
    result = _WORKER.read(sent, limits)
    if result is None:
        return None
    outcome, payload = result
    if outcome == "ok":
        fields, problems = payload
        return Submission(problems=[problem(*p[:4], **p[4]) for p in problems], **fields)
    if outcome == "memory":
        found = problem("error", "too_large", variant="memory", limit=size_text(limits.memory_bytes))
    elif outcome == "time":
        found = problem("error", "too_large", variant="time", seconds=f"{limits.seconds:g}")
    else:
        found = problem("error", "too_large", variant="crashed", reason=str(payload))
    return _refused_submission(kwargs, found)


def _refused_submission(kwargs: dict[str, Any], found: Problem):
    import hashlib

    from analytics.intake.submission import Submission, _observations

    return Submission(
        observations=_observations([]),  # typed, empty
        problems=[found],
        source_name=kwargs.get("filename", ""),
        sha256=hashlib.sha256(bytes(kwargs.get("data", b""))).hexdigest(),
    )


# --- messages: a length, then a pickle ----------------------------------------------------------------
class _WorkerGone(Exception):
    pass


def _send(stream: BinaryIO, message: Any) -> None:
    stream.write(_message(message))
    stream.flush()


def _read_exact(fd: int, n: int, deadline: float) -> bytes:
    parts, got = [], 0
    while got < n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise _WorkerGone("timeout")
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise _WorkerGone("closed")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _recv(stream: BinaryIO, proc: subprocess.Popen | None, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    fd = stream.fileno()
    (n,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exact(fd, n, deadline))


# --- the worker's side ---------------------------------------------------------------------------------
def _vm_size() -> int:
    """This process's address space in bytes (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _portable(sub) -> tuple[dict[str, Any], list[tuple]]:
    """A Submission as plain picklable parts: problems as tuples, their Words rendered in every language."""
    problems = []
    for p in sub.problems:
        fields = {
            k: _Said({lang: format(v, lang) for lang in LANGS}) if isinstance(v, Words) else v
            for k, v in p.fields.items()
        }
        problems.append((p.severity, p.code, p.row, p.column, fields))
    fields = {
        "observations": sub.observations,
        "source_name": sub.source_name,
        "sha256": sub.sha256,
        "encoding": sub.encoding,
        "sheet": sub.sheet,
        "header_row": sub.header_row,
        "layout": sub.layout,
    }
    return fields, problems


def _child(kwargs: dict[str, Any], limits: Limits, out: int) -> None:
    """In the forked child: limit, read, send, exit (never returns)."""
    # said before the limit, so that saying it needs no memory when there is none left
    out_of_memory = _message(("memory", None))
    status = 0
    try:
        budget = _vm_size() + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
        cpu = int(limits.seconds) + 5  # a backstop: the worker kills the child at limits.seconds anyway
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        body = out_of_memory
        try:
            from analytics.intake.submission import read_submission

            sub = read_submission(**kwargs, limits=limits, sandbox=False)
            body = _message(("ok", _portable(sub)))
            del sub
        except MemoryError:
            pass  # the frames holding what filled the memory are gone once this block ends
        except Exception as exc:  # a bug or a parser's surprise: said as one line, never a traceback
            body = _message(("crashed", type(exc).__name__))
        view = memoryview(body)
        while view:
            view = view[os.write(out, view) :]
    except MemoryError:
        try:
            os.write(out, out_of_memory)
        except OSError:
            status = 1
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _message(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def _run_one(kwargs: dict[str, Any], limits: Limits) -> tuple:
    """Fork a child for one file and wait for it, at most `limits.seconds`: (outcome, payload, peak KB, s)."""
    start = time.monotonic()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(kwargs, limits, w)
    os.close(w)
    message, outcome, payload = None, "crashed", "?"
    try:
        header = _read_exact(r, _HEADER.size, start + limits.seconds)
        message = pickle.loads(_read_exact(r, _HEADER.unpack(header)[0], start + limits.seconds))
    except _WorkerGone as gone:
        if str(gone) == "timeout":
            os.kill(pid, signal.SIGKILL)
            outcome, payload = "time", None
    except Exception:  # a reply cut short: the child died while writing it
        pass
    finally:
        os.close(r)
    _, status, usage = os.wait4(pid, 0)
    peak_kb = usage.ru_maxrss
    if message is not None:
        outcome, payload = message[0], message[1]
    elif outcome != "time":
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        if sig == signal.SIGXCPU:
            outcome, payload = "time", None
        elif sig in (signal.SIGKILL, signal.SIGABRT):
            # SIGKILL: the kernel's out-of-memory killer (or another hand); SIGABRT: Python's fatal error when
            # it cannot even make the MemoryError, or a C library's abort on a failed allocation, under the limit
            outcome, payload = "memory", None
        else:
            payload = signal.Signals(sig).name if sig else f"exit {os.WEXITSTATUS(status)}"
    return outcome, payload, peak_kb, time.monotonic() - start


def _warm_up() -> None:
    """Read one small CSV and one small workbook here, once: what openpyxl, pandera and the intake import or
    build on first use is then inherited by every child instead of being redone (and dropped) by each."""
    import io

    from openpyxl import Workbook

    from analytics.intake.submission import read_submission

    rows = [["地区代码", "年份", "指标编号", "分子", "分母"], ["220102", 2024, "premarital_exam", 95, 100]]
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    text = "\n".join(",".join(map(str, row)) for row in rows).encode()
    for data, name in ((buf.getvalue(), "warm.xlsx"), (text, "warm.csv")):
        # warming is an optimisation: a failure here must not stop the worker
        with contextlib.suppress(Exception):
            read_submission(data, name, region="220000", year=2024, sandbox=False)


def _serve() -> None:
    """The worker's loop: requests on stdin, replies on stdout, until stdin closes."""
    from analytics.catalog import load_catalog
    from analytics.intake import submission  # noqa: F401  (imported once here, not in each child)
    from analytics.regions import load_regions

    load_catalog(), load_regions()
    _warm_up()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident may corrupt the replies
    _send(stdout, ("ready",))
    while True:
        try:
            header = stdin.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return
            request = pickle.loads(stdin.read(_HEADER.unpack(header)[0]))
        except (EOFError, OSError, pickle.UnpicklingError):
            return
        _, kwargs, limits = request
        _send(stdout, _run_one(kwargs, limits))
