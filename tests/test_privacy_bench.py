"""bench/privacy_bench.py keeps running: its --smoke size fills a scratch database, erases
people named in kept import files and checks the files were dropped (it exits non-zero
otherwise)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_privacy_bench_runs_at_its_smoke_size(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}"}

    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "privacy_bench.py"), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "subject_erase for real" in result.stdout
    assert "in its transaction" in result.stdout
