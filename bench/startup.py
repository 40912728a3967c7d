"""Start-up cost and idle memory of salesdeck with every built-in plugin.

    .venv/bin/python bench/startup.py [--runs 7] [--workers 2]

Prints one `name=value` line per figure (medians over the runs):

- create_app_cold_ms: a fresh Python process importing salesdeck and building the app
- create_app_warm_ms: building the app again in a process that has imported everything
- serve_rss_total_mb, serve_rss_master_mb, serve_rss_worker_mb: resident memory of `salesdeck
  serve` (gunicorn master plus sync workers), idle after answering one request per worker
- serve_workers: how many workers were measured

Runs on a throw-away SQLite database; on PostgreSQL too when SALESDECK_TEST_POSTGRES_URL is set
(the figures then get a `_postgres` suffix).
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import postgres_schema

COLD = """
import time
started = time.perf_counter()
from core import create_app
create_app({"LOAD_ENTRYPOINTS": False})
print((time.perf_counter() - started) * 1000)
"""


def _env(url: str, instance: str) -> dict:
    return {**os.environ, "SALESDECK_DATABASE_URL": url, "SALESDECK_INSTANCE_PATH": instance,
            "SALESDECK_LOAD_ENTRYPOINTS": "0", "SALESDECK_ADMIN_PASSWORD": "bench-password"}


def _salesdeck(*args, env):
    subprocess.run([sys.executable, "-m", "core.cli", *args], env=env, check=True, capture_output=True)


def cold_ms(env, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD], env=env, check=True, capture_output=True, text=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def warm_ms(url: str, instance: str, runs: int) -> float:
    from core import create_app
    from core.db import db, release

    config = {"DATABASE_URL": url, "INSTANCE_PATH": instance, "LOAD_ENTRYPOINTS": False}
    create_app(config)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        create_app(config)
        times.append((time.perf_counter() - started) * 1000)
    release()
    if hasattr(db.obj, "close_all"):
        db.obj.close_all()
    return statistics.median(times)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def serve_rss(env, workers: int) -> dict:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(workers * 4):  # let every worker answer and settle
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2).read()
        time.sleep(1)
        master = _rss_mb(server.pid)
        worker_pids = _children(server.pid)
        worker_rss = [_rss_mb(pid) for pid in worker_pids]
        return {
            "serve_rss_total_mb": round(master + sum(worker_rss), 1),
            "serve_rss_master_mb": round(master, 1),
            "serve_rss_worker_mb": round(statistics.median(worker_rss), 1),
            "serve_workers": len(worker_pids),
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def measure(url: str, instance: str, runs: int, workers: int, suffix: str) -> None:
    env = _env(url, instance)
    _salesdeck("init", "--demo", env=env)
    figures = {"create_app_cold_ms": round(cold_ms(env, runs), 1),
               "create_app_warm_ms": round(warm_ms(url, instance, runs), 1)}
    figures.update(serve_rss(env, workers))
    for name, value in figures.items():
        print(f"{name}{suffix}={value}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/bench.db", folder, args.runs, args.workers, "")
        postgres = os.environ.get("SALESDECK_TEST_POSTGRES_URL")
        if postgres:
            with postgres_schema(postgres) as url:
                measure(url, folder, args.runs, args.workers, "_postgres")


if __name__ == "__main__":
    main()
