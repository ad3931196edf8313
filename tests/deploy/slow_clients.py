"""Slow clients, run as a process of their own (so they do not share the measuring process's
interpreter): ``python slow_clients.py PORT COUNT INTERVAL_S LIMIT_S``.

Opens COUNT connections to 127.0.0.1:PORT, each sending a request's head a byte every
INTERVAL_S seconds. Prints ``connected`` once every connection is open and has sent its first
byte, then, when the other side has closed every one (or after LIMIT_S seconds), one JSON line:
how many were answered with each status line (``"closed"``: closed without an answer, ``"open"``:
still open at LIMIT_S)."""

import asyncio
import json
import sys
import time
from collections import Counter

HEAD = b"GET /v1/activities HTTP/1.1\r\nHost: fittrack\r\nUser-Agent: " + b"s" * 4096 + b"\r\n\r\n"


async def slow(port: int, interval: float, deadline: float, ready: asyncio.Event) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    answer = b""
    try:
        while time.monotonic() < deadline:
            if sent < len(HEAD):
                writer.write(HEAD[sent : sent + 1])
                sent += 1
                await writer.drain()
            if sent == 1:
                ready.set()
            try:
                answer = await asyncio.wait_for(reader.readline(), timeout=interval)
            except TimeoutError:
                continue
            return answer.decode("latin-1").split(" ", 2)[1] if answer else "closed"
        return "open"
    except (ConnectionError, OSError):
        return "closed"
    finally:
        writer.close()


async def main(port: int, count: int, interval: float, limit: float) -> None:
    deadline = time.monotonic() + limit
    events = [asyncio.Event() for _ in range(count)]
    tasks = [asyncio.create_task(slow(port, interval, deadline, e)) for e in events]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout=limit)
    print("connected", flush=True)
    results = await asyncio.gather(*tasks)
    print(json.dumps(Counter(results)), flush=True)


if __name__ == "__main__":
    port, count, interval, limit = sys.argv[1:5]
    asyncio.run(main(int(port), int(count), float(interval), float(limit)))
