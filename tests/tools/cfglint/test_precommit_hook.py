"""The `.pre-commit-hooks.yaml` hook works for a pre-commit user, checked with the real tool.

pre-commit clones this repository at HEAD and installs siprouter from that commit (dependencies
from PyPI), so this tests committed code: commit before expecting a change here to show.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SLOW = pytest.mark.timeout(900)  # the first run builds a virtualenv and installs from PyPI


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()


@pytest.fixture(scope="module")
def hook_user(tmp_path_factory, configs):
    """A throwaway git repo whose .pre-commit-config.yaml uses our cfglint hook at HEAD."""
    repo = tmp_path_factory.mktemp("user")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env.pop("NO_COLOR", None)
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {git('rev-parse', 'HEAD', cwd=ROOT)}\n"
        "    hooks:\n"
        "      - id: cfglint\n",
        encoding="utf-8",
    )
    for name in ("good.cfg", "bad.cfg"):
        (repo / name).write_text(configs[name], encoding="utf-8")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
        "commit", "-q", "-m", "configs", cwd=repo)
    return repo, env


def pre_commit(hook_user, *args: str) -> subprocess.CompletedProcess[str]:
    repo, env = hook_user
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color", "never", *args],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=850)


@SLOW
def test_hook_passes_a_good_config(hook_user):
    result = pre_commit(hook_user, "--files", "good.cfg")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cfglint" in result.stdout and "Passed" in result.stdout


@SLOW
def test_hook_fails_a_bad_config_and_shows_the_finding(hook_user):
    result = pre_commit(hook_user, "--files", "bad.cfg")
    assert result.returncode != 0
    assert "bad.cfg:2:11: E209 route(MISSING) calls a route that is not defined" in result.stdout
