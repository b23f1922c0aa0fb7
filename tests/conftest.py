from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def example_path() -> Path:
    return CONFIGS / "linear-warmup-cosine.yaml"
