"""The built wheel is the whole product: installed alone into a fresh virtualenv, it loads the
demo set and answers a semantic search (no second install step, nothing from the source tree)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(*cmd: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env=env, cwd=cwd, timeout=900
    )
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_wheel_installs_alone_and_searches_by_meaning(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps",
        "-w", dist, ROOT)  # fmt: skip
    wheels = list(dist.glob("dailypapers-*.whl"))
    assert len(wheels) == 1
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheels[0])
    env = {
        "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "DAILYPAPERS_DATA_DIR": str(tmp_path / "data"),
    }
    # from a folder outside the source tree, so nothing can come from it
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    loaded = run(env_dir / "bin" / "dailypapers", "demo", env=env, cwd=workdir)
    assert int(re.search(r"added (\d+) new papers", loaded).group(1)) > 1000, loaded
    found = json.loads(
        run(
            env_dir / "bin" / "dailypapers",
            "search",
            "teaching robots to grasp objects",
            "--mode",
            "semantic",
            "--json",
            env=env,
            cwd=workdir,
        )  # fmt: skip
    )
    assert found["mode"] == "semantic", found["notes"]
    assert len(found["hits"]) == 10
    origin = run(python, "-c", "import dailypapers; print(dailypapers.__file__)", cwd=workdir)
    assert str(env_dir) in origin
