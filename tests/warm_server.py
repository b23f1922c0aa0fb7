"""The server behind tests/warm.py: imports torch once, then forks a new Python process
for each request, as if ``python -m mod``, ``python -c code`` or ``python script`` had
been started with the request's argv, folder, environment and standard streams.

Run as ``python warm_server.py FD MODULE...``, FD one end of a Unix socket pair: the
server of one test process, which ends when that process closes its end. Or as
``python warm_server.py PATH:PID MODULE...``: the server every xdist worker of a run
shares, listening at PATH, which ends when the process PID (the run's controller) is
gone. The modules are what to import before forking. Each request is
one byte with four file descriptors (stdin, stdout, stderr, and a socket for the rest);
on that socket, the request (JSON, up to its end of file) comes in, and the process id,
then its wait status, go out, a line each.

Why a fork is a faithful new process here: nothing but modules was loaded before it (no
thread, no torch operation, no handler changed but SIGCHLD, which the fork restores), and
the forked interpreter builds its own sys.argv, sys.path, environment and standard
streams, runs the program as __main__ and ends through the interpreter's normal exit
(flushes, atexit, exit code or signal), which is what tests of exits and pipes observe.
"""

from __future__ import annotations

import gc
import importlib
import io
import json
import os
import runpy
import select
import signal
import socket
import sys
import types

#: the interpreter's own sys.path, without this script's folder at its head
BASE_PATH = sys.path[1:]


def _serve(control: socket.socket, owner: int | None) -> socket.socket:
    """Fork a supervisor per request; return, in the program's process, its socket.

    ``control``: the socket requests come on, or (with an ``owner``) the listening
    socket the clients connect to, each on its own connection."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    clients = [control] if owner is None else []
    while True:
        listening = [control] if owner is not None else []
        ready, _, _ = select.select([*clients, *listening], [], [], 1.0)
        if owner is not None and not _alive(owner):
            os._exit(0)  # the test run is over
        for client in ready:
            if owner is not None and client is control:
                clients.append(control.accept()[0])
                continue
            try:
                _, fds, _, _ = socket.recv_fds(client, 1, 4)
            except OSError:
                fds = []
            if not fds:  # the client closed its end: its test process is done
                if owner is None:
                    os._exit(0)
                clients.remove(client)
                client.close()
                continue
            if os.fork() == 0:
                for other in {control, *clients}:
                    other.close()
                return _supervise(fds)
            for fd in fds:
                os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        pass
    return True


def _listen(where: str) -> tuple[socket.socket, int | None]:
    """The control socket ``where`` names, and the owner to outlive (see the docstring)."""
    if where.isdigit():
        return socket.socket(fileno=int(where)), None
    path, owner = where.rsplit(":", 1)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # listening before the imports (clients may connect while they run), and at PATH only
    # once listening: a client that sees PATH can connect
    listener.bind(f"{path}.{os.getpid()}")
    listener.listen(16)
    os.rename(f"{path}.{os.getpid()}", path)
    return listener, int(owner)


def _supervise(fds: list[int]) -> socket.socket:
    """Fork the program; report its pid and wait status. Returns only in the program."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    channel = socket.socket(fileno=fds[3])
    program = os.fork()
    if program == 0:
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds[:3]:
            if fd > 2:
                os.close(fd)
        return channel
    for fd in fds[:3]:
        os.close(fd)
    channel.sendall(f"{program}\n".encode())
    _, status = os.waitpid(program, 0)
    channel.sendall(f"{status}\n".encode())
    os._exit(0)


def _read_request(channel: socket.socket) -> dict[str, object]:
    chunks = []
    while chunk := channel.recv(1 << 16):
        chunks.append(chunk)
    channel.close()
    return json.loads(b"".join(chunks))


def _streams(unbuffered: bool) -> None:
    """New standard streams over fds 0-2, buffered as a new interpreter buffers them."""
    encoding = sys.stdout.encoding
    sys.stdin = sys.__stdin__ = open(0, encoding=encoding, closefd=False)  # noqa: SIM115
    for fd, name in ((1, "stdout"), (2, "stderr")):
        binary = io.FileIO(fd, "w", closefd=False)
        buffered = io.BufferedWriter(binary) if not unbuffered else binary
        stream = io.TextIOWrapper(
            buffered,  # type: ignore[arg-type]
            encoding=encoding,
            errors="backslashreplace" if fd == 2 else "strict",
            line_buffering=fd == 2 or os.isatty(fd),
            write_through=unbuffered,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run(request: dict[str, object]) -> None:
    """Become the program the request names, and run it as __main__."""
    os.chdir(str(request["cwd"]))
    environment = dict(request["env"])  # type: ignore[call-overload]
    os.environ.clear()
    os.environ.update(environment)
    kind, target, rest = request["kind"], str(request["target"]), list(request["argv"])  # type: ignore[call-overload]
    first = {"c": "", "m": os.getcwd(), "script": os.path.dirname(os.path.abspath(target))}
    extra = [p for p in environment.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [first[kind], *(os.path.abspath(p) for p in extra), *BASE_PATH]
    _streams(bool(request["unbuffered"]))
    if kind == "m":
        sys.argv = ["-m", *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    elif kind == "script":
        sys.argv = [target, *rest]
        runpy.run_path(target, run_name="__main__")
    else:
        sys.argv = ["-c", *rest]
        main = types.ModuleType("__main__")
        sys.modules["__main__"] = main
        exec(compile(target, "<string>", "exec"), main.__dict__)


if __name__ == "__main__":
    control, owner = _listen(sys.argv[1])
    for module in sys.argv[2:]:  # what every request would otherwise import itself
        importlib.import_module(module)
    # out of the collections of every program forked from here: with ~165k objects of
    # torch's in them, each program's exit took a quarter of a second longer
    gc.freeze()
    _run(_read_request(_serve(control, owner)))
