"""New Python processes without paying for ``import torch`` in each: `run` and `Popen`
stand in for subprocess's for ``[sys.executable, "-m"/"-c"/script, ...]`` commands.

A server per test process (tests/warm_server.py) imports torch once and forks each
program from there: a real process with its own pid, argv, folder, environment, standard
streams, exit status and signals, which is what the tests of exits, pipes, terminals and
Ctrl-C observe. Only the cost differs: ~2 s of torch import per process on this machine,
which was half of the suite's time. Tests about what a process imports use subprocess
itself: here the server's modules (``preload``) are always already imported.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

PIPE, DEVNULL = subprocess.PIPE, subprocess.DEVNULL
SERVER = Path(__file__).with_name("warm_server.py")
#: interpreter options whose effect a forked interpreter cannot take on
_STARTUP = {"PYTHONWARNINGS", "PYTHONIOENCODING", "PYTHONHASHSEED", "PYTHONDEVMODE"}

#: what a server imports before forking: torch, for the programs that need it (with
#: torch._dynamo, ~2 s, which torch imports when a program builds its first optimizer);
#: the CLI and what reading a config takes, without torch, for the programs that fail
#: before they would import it; both, with what simulating and rendering take, for the
#: CLI's commands that simulate (their dummy optimizer never imports torch._dynamo).
#: The commands import these inside functions: without them, every child of a server
#: spends ~0.25 s importing them again.
TORCH = ("torch", "torch._dynamo")
CLI = (
    "warmplan.cli.main",
    "warmplan.cli.common",
    "typer._adapters",
    "yaml",
    "warmplan.formats.load",
    "warmplan.config.models",
    "warmplan.config.validate",
    "warmplan.lint.runner",
    "warmplan.lint.rules",
    "warmplan.render.findings",
)
TORCH_CLI = (
    "torch",
    *CLI,
    "numpy",
    "rich.console",
    "rich.table",
    "warmplan.schedule.simulate",
    "warmplan.schedule.build",
    "warmplan.schedule.codegen",
    "warmplan.render.table",
    "warmplan.render.compare",
    "warmplan.render.export",
)

#: ``PID:FOLDER``, set by tests/conftest.py in a run's first process (PID): the folder
#: where all the run's test processes (its xdist workers) share one server per preload,
#: so that each server's imports (~2 s of torch) are paid once a run
SHARED = "WARMPLAN_TESTS_WARM_SERVERS"
_lock = threading.Lock()
_servers: dict[tuple[str, ...], socket.socket] = {}
_shared_servers: list[subprocess.Popen[bytes]] = []  # never waited for: they outlive us


def _server(preload: tuple[str, ...]) -> socket.socket:
    with _lock:
        if preload not in _servers:
            if SHARED in os.environ:
                owner, folder = os.environ[SHARED].split(":", 1)
                _servers[preload] = _shared(Path(folder), int(owner), preload)
            else:
                _servers[preload] = _own(preload)
        return _servers[preload]


def _start(where: str, preload: tuple[str, ...], **popen: Any) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.Popen(
        [sys.executable, str(SERVER), where, *preload],
        stdin=subprocess.DEVNULL,
        env=env,
        cwd="/",
        **popen,
    )


def _own(preload: tuple[str, ...]) -> socket.socket:
    """A server of this process alone, stopped when it exits."""
    ours, theirs = socket.socketpair()
    server = _start(str(theirs.fileno()), preload, pass_fds=[theirs.fileno()])
    theirs.close()
    atexit.register(_stop, server, ours)
    return ours


def _stop(server: subprocess.Popen[bytes], control: socket.socket) -> None:
    control.close()
    server.wait(timeout=30)


def _shared(folder: Path, owner: int, preload: tuple[str, ...]) -> socket.socket:
    """A connection to the run's server for ``preload``, started by the first process
    that needs it (under a lock: the others wait for it to listen). It outlives that
    process: the run's first process (``owner``) stops it, or it ends when that is gone."""
    name = hashlib.sha256(" ".join(preload).encode()).hexdigest()[:16]
    path = folder / f"{name}.sock"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            server = _start(f"{path}:{owner}", preload, start_new_session=True)
            _shared_servers.append(server)
            (folder / f"{name}.pid").write_text(str(server.pid))
            deadline = time.monotonic() + 60
            while not path.exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the warm process server for {preload} did not start")
                time.sleep(0.01)
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(str(path))
    return connection


def _parse(args: list[str]) -> dict[str, Any]:
    """What kind of program ``args`` starts: only what tests here start."""
    if not args or args[0] != sys.executable:
        raise ValueError(f"warm processes run {sys.executable} only, not {args[:1]}")
    rest, unbuffered = list(args[1:]), False
    if rest[:1] == ["-u"]:
        rest, unbuffered = rest[1:], True
    if rest[:1] in (["-m"], ["-c"]):
        return {"kind": rest[0][1], "target": rest[1], "argv": rest[2:], "unbuffered": unbuffered}
    if rest and not rest[0].startswith("-"):
        return {"kind": "script", "target": rest[0], "argv": rest[1:], "unbuffered": unbuffered}
    raise ValueError(f"warm processes do not take the interpreter options of {args}")


class Popen:
    """subprocess.Popen's interface, as far as the tests use it."""

    def __init__(
        self,
        args: list[str],
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: dict[str, str] | None = None,
        stdin: int | IO[Any] | None = None,
        stdout: int | IO[Any] | None = None,
        stderr: int | IO[Any] | None = None,
        text: bool = False,
        preload: tuple[str, ...] = TORCH,
    ) -> None:
        env = dict(os.environ if env is None else env)
        if _STARTUP & env.keys():
            raise ValueError(f"warm processes cannot take {sorted(_STARTUP & env.keys())}")
        request = {**_parse(args), "cwd": str(cwd or os.getcwd()), "env": env}
        self.args, self.returncode = args, None
        ends, theirs = [], []
        for fd, wanted in enumerate((stdin, stdout, stderr)):
            mine, child = self._end(fd, wanted, text)
            ends.append(mine)
            theirs.append(child)
        self.stdin, self.stdout, self.stderr = ends
        self._channel, channel = socket.socketpair()
        try:
            socket.send_fds(_server(preload), [b"r"], [*theirs, channel.fileno()])
        finally:
            channel.close()
            for fd in theirs:
                if fd > 2:
                    os.close(fd)
        self._channel.sendall(json.dumps(request).encode())
        self._channel.shutdown(socket.SHUT_WR)
        self._replies = b""
        self.pid = int(self._reply(None))

    @staticmethod
    def _end(fd: int, wanted: int | IO[Any] | None, text: bool) -> tuple[IO[Any] | None, int]:
        """(our end or None, a new descriptor for the child's fd)."""
        if wanted is None:
            return None, os.dup(fd)
        if wanted == PIPE:
            read, write = os.pipe()
            ours, child = (write, read) if fd == 0 else (read, write)
            mode = ("w" if fd == 0 else "r") + ("" if text else "b")
            return open(ours, mode), child
        if wanted == DEVNULL:
            return None, os.open(os.devnull, os.O_RDWR)
        if wanted == subprocess.STDOUT:
            raise ValueError("stderr=STDOUT is not supported")
        return None, os.dup(wanted if isinstance(wanted, int) else wanted.fileno())

    def _reply(self, timeout: float | None) -> bytes:
        """The server's next line; TimeoutError when none came within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._replies:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self._channel], [], [], left)[0]:
                raise TimeoutError
            chunk = self._channel.recv(256)
            if not chunk:
                raise RuntimeError("the warm process server stopped")
            self._replies += chunk
        line, self._replies = self._replies.split(b"\n", 1)
        return line

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.wait(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                status = int(self._reply(timeout))
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout or 0) from None
            self.returncode = os.waitstatus_to_exitcode(status)
            self._channel.close()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(9)

    def communicate(self, input: Any = None, timeout: float | None = None) -> tuple[Any, Any]:
        """Feed stdin and read stdout/stderr to their ends at once, as subprocess does."""
        results: dict[int, Any] = {}

        def drain(index: int, stream: IO[Any]) -> None:
            results[index] = stream.read()
            stream.close()

        readers = [
            threading.Thread(target=drain, args=(index, stream), daemon=True)
            for index, stream in ((1, self.stdout), (2, self.stderr))
            if stream is not None
        ]
        for reader in readers:
            reader.start()
        if self.stdin is not None:
            if input:
                with contextlib.suppress(BrokenPipeError):
                    self.stdin.write(input)
            self.stdin.close()
        for reader in readers:
            reader.join(timeout)
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout)
        self.wait(timeout)
        return results.get(1), results.get(2)

    def __enter__(self) -> Popen:
        return self

    def __exit__(self, *exc: object) -> None:
        for stream in (self.stdin, self.stdout, self.stderr):
            if stream is not None:
                stream.close()
        if self.returncode is None:
            self.wait()


def run(
    args: list[str],
    *,
    input: Any = None,
    capture_output: bool = False,
    timeout: float | None = None,
    check: bool = False,
    text: bool = False,
    stdin: int | IO[Any] | None = None,
    stdout: int | IO[Any] | None = None,
    stderr: int | IO[Any] | None = None,
    **popen: Any,
) -> subprocess.CompletedProcess[Any]:
    """subprocess.run's interface, as far as the tests use it."""
    if capture_output:
        stdout = stderr = PIPE
    if input is not None:
        stdin = PIPE
    process = Popen(args, stdin=stdin, stdout=stdout, stderr=stderr, text=text, **popen)
    try:
        out, err = process.communicate(input, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    done = subprocess.CompletedProcess(args, process.wait(), out, err)
    if check:
        done.check_returncode()
    return done
