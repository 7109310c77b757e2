#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 that adds a fixed one-way delay, for latency benchmarks.

No netem on the test kernel, so a round-trip time is made here instead:

    delay_proxy.py --delay-ms 12.5 LISTEN_PORT=TARGET_PORT [LISTEN_PORT=TARGET_PORT ...]

Every byte is held for the one-way delay in each direction, in order; a half-close (FIN) is
passed on after the same delay, a reset as a reset; any number of connections at once. The TCP
handshake is emulated too: the upstream connection opens 1.5 round trips after the client's,
when a real server would see the client's final ACK, so a banner reaches the client 2 RTT after
it connected, as it would over a real path. TCP acknowledgements are not delayed (each leg ACKs
at once, TCP_QUICKACK): only data and FINs are. Listens and connects on 127.0.0.1 only; a
LISTEN_PORT of 0 takes a free port. Prints "ready PORT..." (the listening ports, in the order
given) on stdout once every listener is up. Stop it with SIGTERM.
"""

import argparse
import asyncio
import signal
import socket
import sys

HOST = "127.0.0.1"
CHUNK = 64 * 1024


def nodelay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        quickack(sock)


def quickack(sock):
    # the proxy must not hold a peer's segment un-ACKed for 40 ms (delayed ACK): a sender that
    # waits for that ACK (Nagle) would see a delay the emulated path does not have
    if hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


async def pump(reader, sock, queue, delay):
    """Reads one direction, stamping each chunk with the time it may be delivered."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            data = await reader.read(CHUNK)
            if sock is not None:
                quickack(sock)  # Linux clears it now and then
            await queue.put((loop.time() + delay, data or None))
            if not data:
                return
    except (ConnectionError, OSError):
        await queue.put((loop.time() + delay, ConnectionResetError))


async def deliver(queue, writer_ready, peer_closed):
    """Writes each chunk at its time, in order; passes a FIN on as a half-close."""
    loop = asyncio.get_running_loop()
    writer = await writer_ready
    while True:
        due, data = await queue.get()
        wait = due - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if writer is None:
            return
        try:
            if data is ConnectionResetError:
                abort(writer)
                peer_closed.set()
                return
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()
        except (ConnectionError, OSError):
            peer_closed.set()
            return


def abort(writer):
    transport = writer.transport
    sock = writer.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER 0: close with a RST, as the other side did
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    transport.abort()


async def handle(client_reader, client_writer, target_port, delay):
    loop = asyncio.get_running_loop()
    nodelay(client_writer)
    upstream_ready = loop.create_future()
    client_ready = loop.create_future()
    client_ready.set_result(client_writer)
    closed = asyncio.Event()
    to_server = asyncio.Queue()
    to_client = asyncio.Queue()

    async def open_upstream():
        # SYN (½ RTT), SYN-ACK (½), ACK (½): the server accepts 1.5 RTT after the client began
        await asyncio.sleep(3 * delay)
        try:
            reader, writer = await asyncio.open_connection(HOST, target_port)
        except OSError:
            upstream_ready.set_result(None)
            abort(client_writer)
            closed.set()
            return None
        nodelay(writer)
        upstream_ready.set_result(writer)
        return reader

    async def server_side():
        reader = await open_upstream()
        if reader is not None:
            await pump(reader, upstream_ready.result().get_extra_info("socket"), to_client, delay)

    tasks = [
        asyncio.create_task(pump(client_reader, client_writer.get_extra_info("socket"), to_server, delay)),
        asyncio.create_task(server_side()),
        asyncio.create_task(deliver(to_server, upstream_ready, closed)),
        asyncio.create_task(deliver(to_client, client_ready, closed)),
    ]
    done_both = asyncio.gather(tasks[2], tasks[3])
    stop = asyncio.create_task(closed.wait())
    await asyncio.wait([done_both, stop], return_when=asyncio.FIRST_COMPLETED)
    for t in tasks:
        t.cancel()
    stop.cancel()
    for w in (client_writer, upstream_ready.result() if upstream_ready.done() else None):
        if w is not None:
            w.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay-ms", type=float, required=True, help="one-way delay, each direction")
    parser.add_argument("maps", nargs="+", metavar="LISTEN=TARGET", help="ports on 127.0.0.1")
    args = parser.parse_args()
    delay = args.delay_ms / 1000.0
    servers = []
    for spec in args.maps:
        listen, _, target = spec.partition("=")
        if not (listen.isdigit() and target.isdigit()):
            parser.error(f"bad mapping {spec!r}: want LISTEN_PORT=TARGET_PORT")
        target_port = int(target)

        def handler(r, w, target_port=target_port):
            return handle(r, w, target_port, delay)

        servers.append(await asyncio.start_server(handler, HOST, int(listen), backlog=512))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    ports = [s.sockets[0].getsockname()[1] for s in servers]
    print("ready", *ports, flush=True)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
