"""The documented `manage.py` commands work in a checkout after `make setup`, with DEBUG off:
the checkout's own key file stands in for SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    # Settings only: the command must not touch the checkout's database.
    clean["DATABASE_URL"] = "sqlite://:memory:"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_a_command_runs_without_debug_on_the_key_file(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text("a-key-written-by-make-setup-" + "k" * 40 + "\n")

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG)",
        SECRET_KEY_FILE=str(key_file),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["a-key-written-by-make-setup-" + "k" * 40, "False"]


def test_without_a_key_the_error_says_how_to_get_one(tmp_path):
    result = manage("check", SECRET_KEY_FILE=str(tmp_path / "missing"))

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "make setup" in result.stderr


def test_secret_key_wins_over_the_key_file(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text("from-the-file")

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        SECRET_KEY_FILE=str(key_file),
        SECRET_KEY="from-the-environment",
    )

    assert result.stdout.strip() == "from-the-environment"


def test_make_setup_writes_the_checkout_key_readable_by_its_owner_only():
    subprocess.run(["make", "--no-print-directory", "var/secret-key"], cwd=ROOT, check=True)

    key_file = ROOT / "var" / "secret-key"
    assert len(key_file.read_text().strip()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
    result = manage("check")
    assert result.returncode == 0, result.stderr
