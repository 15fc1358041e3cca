"""A bounded load for deploy/smoke.sh: a few threads send certificate lookups (and every tenth
request, the attestation) to the load balancer on 127.0.0.1 until a stop file appears, then
print one JSON summary line: requests, statuses, the non-2xx answers and transport errors.

    python3 deploy/smoke_load.py --port 8000 --certificate DEMO-BW-2023 --stop /tmp/stop

Standard library only (it runs on the host, outside the image). Bounded: ``--threads`` requests
at a time, each thread pausing ``--pause`` seconds between requests.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import sys
import threading
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--stop", type=Path, required=True, help="stop once this file exists")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.01)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()

    statuses: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds
    paths = [f"/v1/certificates/{args.certificate}"] * 9 + [
        f"/v1/certificates/{args.certificate}/attestation"
    ]

    def run() -> None:
        sent = 0
        connection: http.client.HTTPConnection | None = None
        while not args.stop.exists() and time.monotonic() < deadline:
            path = paths[sent % len(paths)]
            sent += 1
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                outcome = str(response.status)
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as error:
                outcome = f"error:{type(error).__name__}"
                if connection is not None:
                    connection.close()
                connection = None
            with lock:
                statuses[outcome] += 1
                if not outcome.startswith("2"):
                    failures.append(
                        f"{time.strftime('%H:%M:%S')} {path} {outcome} "
                        f"after {time.monotonic() - started:.2f}s"
                    )
            time.sleep(args.pause)

    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = sum(statuses.values())
    summary = {
        "requests": total,
        "seconds": round(time.monotonic() - started, 1),
        "statuses": dict(sorted(statuses.items())),
        "non_2xx": total - sum(n for s, n in statuses.items() if s.startswith("2")),
        "failures": failures[:20],
    }
    sys.stdout.write(json.dumps(summary) + "\n")


if __name__ == "__main__":
    main()
