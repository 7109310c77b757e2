#!/usr/bin/env python3
"""An upstream SMTP sink on 127.0.0.1 for the relay's crash soak and benchmark.

It plays the mail server a relay delivers to: it accepts every message and records it in an
append-only file, one record per message, before it answers 250 to the final dot. With
--fsync the record is fsync'd first, so a message the sink said 250 to is on its disk whatever
happens next (the soak's "delivered" means exactly that). Each run of the sink writes its own
file, DIR/messages.PID, so a sink killed in the middle of a record (which it never said 250
to) leaves that half record at the end of its own file only.

Record format:

    MSG <received_ns> <size> <mail_from> <rcpt>[,<rcpt>...]\n
    <size bytes: the message as received, dot-unstuffed, line ends as sent>\n

received_ns is the wall clock (CLOCK_REALTIME, nanoseconds) when the final dot was read,
before the record is written: the benchmark compares it with the time a device got its 250.

    relay_sink.py --dir DIR --port-file FILE [--port N] [--fsync]

Listens on 127.0.0.1 only (port 0: the system chooses; the port is written to FILE once the
socket listens). Stops on SIGTERM or SIGINT, after flushing the file. Also importable:
Reader(DIR).poll() returns the records written since its last call, from every run's file.
"""

import argparse
import asyncio
import os
import signal
import sys
import time

MAX_LINE = 1 << 20
MAX_MESSAGE = 64 << 20
# A peer that sends nothing for this long is dropped (every network step has a timeout).
IDLE_TIMEOUT = 120


class Recorder:
    """The record file; writes are serialised by the event loop (one thread)."""

    def __init__(self, path, fsync):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.fsync = fsync
        self.count = 0

    def record(self, received_ns, mail_from, rcpts, data):
        head = "MSG %d %d %s %s\n" % (received_ns, len(data), mail_from or "-", ",".join(rcpts))
        buf = head.encode("utf-8", "surrogateescape") + data + b"\n"
        view = memoryview(buf)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]
        if self.fsync:
            os.fsync(self.fd)
        self.count += 1

    def close(self):
        os.fsync(self.fd)
        os.close(self.fd)


def address(arg):
    """The address inside MAIL FROM:<...> / RCPT TO:<...> (parameters after it ignored)."""
    arg = arg.strip()
    if arg.startswith("<"):
        end = arg.find(">")
        return arg[1:end] if end > 0 else arg[1:]
    return arg.split(" ", 1)[0]


async def read_data(reader):
    """The message after 354, up to the line that is a lone dot, dot-unstuffed. Read in large
    pieces rather than line by line: the sink must not be what limits a benchmark."""
    # pieces joined once at the end: adding each to the last would copy a 50 MB message once per
    # line that ends with a dot
    # line that ends with a dot; one timer moved along rather than a wait_for (a task) per piece
    parts, size, last = [], 0, b""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(IDLE_TIMEOUT) as idle:
        while True:
            piece = await reader.readuntil(b".\r\n")
            now = loop.time()
            if idle.when() - now < IDLE_TIMEOUT - 1:
                idle.reschedule(now + IDLE_TIMEOUT)
            parts.append(piece)
            size += len(piece)
            last = (last + piece)[-5:]
            if (size == 3 and piece == b".\r\n") or last == b"\r\n.\r\n":
                break
            if size > MAX_MESSAGE:
                raise ConnectionError("message too large")
    body = b"".join(parts)[:-3]
    if body.startswith(b"."):
        body = body[1:]
    # every line that starts with a dot was sent with one more
    return body.replace(b"\n.", b"\n")


async def session(reader, writer, recorder):
    async def reply(text):
        writer.write(text.encode() + b"\r\n")
        await writer.drain()

    async def line():
        data = await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT)
        if not data:
            raise ConnectionError("peer closed")
        return data

    try:
        await reply("220 sink.test ESMTP relay sink")
        mail_from, rcpts = None, []
        while True:
            raw = await line()
            text = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                mail_from, rcpts = None, []
                await reply("250-sink.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE %d\r\n250 SMTPUTF8"
                            % MAX_MESSAGE)
            elif verb == "HELO":
                mail_from, rcpts = None, []
                await reply("250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = address(arg.partition(":")[2]), []
                await reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                if mail_from is None:
                    await reply("503 5.5.1 Error: need MAIL command")
                    continue
                rcpts.append(address(arg.partition(":")[2]))
                await reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if mail_from is None or not rcpts:
                    await reply("503 5.5.1 Error: need RCPT command")
                    continue
                await reply("354 End data with <CR><LF>.<CR><LF>")
                data = await read_data(reader)
                received = time.time_ns()
                recorder.record(received, mail_from, rcpts, data)
                mail_from, rcpts = None, []
                await reply("250 2.0.0 Ok: recorded %d" % recorder.count)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                await reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                await reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                await reply("221 2.0.0 Bye")
                break
            else:
                await reply("502 5.5.2 Error: command not recognized")
    except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
            ValueError, OSError):
        pass
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--fsync", action="store_true")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    recorder = Recorder(os.path.join(args.dir, "messages.%d" % os.getpid()), args.fsync)
    server = await asyncio.start_server(
        lambda r, w: session(r, w, recorder), "127.0.0.1", args.port, limit=MAX_MESSAGE + MAX_LINE, backlog=512)
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, args.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()
    recorder.close()


def read_records(path, offset=0):
    """Parses records from byte `offset`; returns (records, next_offset). A record still being
    written (incomplete at the end) is left for the next call. Each record is a tuple
    (received_ns, mail_from, rcpts, data)."""
    out = []
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            buf = f.read()
    except FileNotFoundError:
        return out, offset
    pos = 0
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            break
        head = buf[pos:nl].split(b" ")
        if len(head) != 5 or head[0] != b"MSG":
            raise ValueError("bad record at byte %d of %s" % (offset + pos, path))
        size = int(head[2])
        end = nl + 1 + size
        if end + 1 > len(buf):
            break
        if buf[end:end + 1] != b"\n":
            raise ValueError("bad record end at byte %d of %s" % (offset + end, path))
        rcpts = head[4].decode("utf-8", "surrogateescape").split(",")
        mail_from = head[3].decode("utf-8", "surrogateescape")
        out.append((int(head[1]), "" if mail_from == "-" else mail_from, rcpts, buf[nl + 1:end]))
        pos = end + 1
    return out, offset + pos


class Reader:
    """Reads a sink directory's records as they come, from every run's file."""

    def __init__(self, directory):
        self.dir = directory
        self.offsets = {}

    def poll(self):
        out = []
        try:
            names = sorted(n for n in os.listdir(self.dir) if n.startswith("messages."))
        except FileNotFoundError:
            return out
        for name in names:
            records, self.offsets[name] = read_records(os.path.join(self.dir, name), self.offsets.get(name, 0))
            out.extend(records)
        return out


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
