"""``bench/pipeline.py --store URL --workers N``: several worker processes on one PostgreSQL
database, beside SQLite with one, measured in one run (briefly here: that it works and
prints what it says, not how fast this machine is)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_bench_measures_one_and_two_workers_beside_sqlite(postgres_url: str) -> None:
    ran = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "pipeline.py"), "--store", postgres_url,
         "--workers", "1,2", "--conversations", "8", "--seconds", "0.5"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert set(results["store"]) == {"1 worker", "2 workers"}
    for measured in [*results["store"].values(), results["sqlite"]["1 worker"]]:
        assert measured["messages"] > 0
        assert measured["messages_per_s"] > 0 and measured["p99_ms"] >= measured["p50_ms"] > 0
    assert results["store"]["2 workers"]["workers"] == 2
    for measured in results["store"].values():  # a conversation's lock taken and let go
        assert measured["lock_round_trips_per_message"] >= 2
    assert results["sqlite"]["1 worker"]["lock_round_trips_per_message"] == 0
