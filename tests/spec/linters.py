"""Redocly CLI and Spectral, fetched by npx, on a bundle with the project's lint configs (`.redocly.yaml`,
`.spectral.yaml`). Versions pinned so the figures do not move under the tests; npm caches them in `~/.npm`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

REDOCLY = "@redocly/cli@2.77.0"
SPECTRAL = "@stoplight/spectral-cli@6.16.3"
FETCH_SECONDS = 300  # a first fetch of both packages on a slow network


def require_linters() -> str:
    """npx, with both linters fetched; skips the test with the reason where they cannot be had."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx is not installed: the linters run where Node.js is")
    for package in (REDOCLY, SPECTRAL):
        try:
            run = subprocess.run(
                [npx, "--yes", package, "--version"], check=False, capture_output=True, text=True, timeout=FETCH_SECONDS
            )
        except subprocess.TimeoutExpired:
            pytest.skip(f"npx could not fetch {package} in {FETCH_SECONDS} s")
        if run.returncode != 0:
            pytest.skip(f"npx could not fetch {package}: {run.stderr.strip()[-300:]}")
    return npx


def lint_errors(npx: str, bundle: Path) -> dict[str, list[str]]:
    """Each linter's errors on `bundle` (`rule: message at where`); the two run at once."""
    commands = {
        "redocly": [
            npx,
            "--yes",
            REDOCLY,
            "lint",
            "--config",
            str(ROOT / ".redocly.yaml"),
            "--format",
            "json",
            "--max-problems",
            "1000000",
            str(bundle),
        ],
        "spectral": [
            npx,
            "--yes",
            SPECTRAL,
            "lint",
            "--ruleset",
            str(ROOT / ".spectral.yaml"),
            "--format",
            "json",
            "--quiet",
            str(bundle),
        ],
    }
    running = {
        name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, command in commands.items()
    }
    outputs = {name: process.communicate(timeout=FETCH_SECONDS)[0] for name, process in running.items()}
    redocly = json.loads(outputs["redocly"])["problems"]
    spectral = json.loads(outputs["spectral"] or "[]")
    return {
        "redocly": [
            f"{p['ruleId']}: {p['message']} at {p['location'][0]['pointer']}"
            for p in redocly
            if p["severity"] == "error"
        ],
        "spectral": [
            f"{p['code']}: {p['message']} at {'/'.join(map(str, p['path']))}" for p in spectral if p["severity"] == 0
        ],
    }
