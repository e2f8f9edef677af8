"""The operations settings: flags over `PORCH_*` variables over defaults, refused clearly
when they make no sense."""

from __future__ import annotations

from pathlib import Path

import pytest

from porch.config import ConfigError, OpsConfig, load_config, load_ops_config, parse_address
from tests.support.processes import porch


def test_defaults_environment_and_flags() -> None:
    assert load_ops_config({}, {}) == OpsConfig()
    env = {
        "PORCH_LOG_FORMAT": "TEXT",
        "PORCH_LOG_LEVEL": "debug",
        "PORCH_METRICS_TOKEN": "t0k3n",
        "PORCH_ADMIN_LISTEN": "127.0.0.1:9464",
        "PORCH_SHUTDOWN_TIMEOUT": "25",
        "PORCH_DRAIN_DELAY": "5",
    }
    assert load_ops_config({}, env) == OpsConfig("text", "debug", "t0k3n", "127.0.0.1:9464", 25, 5)
    flags = {"log_format": "json", "shutdown_timeout": 0.0, "admin_listen": None}
    chosen = load_ops_config(flags, env)
    assert (chosen.log_format, chosen.shutdown_timeout) == ("json", 0.0)  # 0 is a choice
    assert chosen.admin_address == ("127.0.0.1", 9464)


def test_load_config_carries_them(tmp_path: Path) -> None:
    config = load_config(data=str(tmp_path), ops={"log_level": "error"}, env={})
    assert config.ops.log_level == "error" and config.ops.admin_address is None


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"PORCH_LOG_FORMAT": "xml"}, "log format"),
        ({"PORCH_LOG_LEVEL": "loud"}, "log level"),
        ({"PORCH_SHUTDOWN_TIMEOUT": "soon"}, "shutdown timeout"),
        ({"PORCH_DRAIN_DELAY": "-1"}, "drain delay"),
        ({"PORCH_ADMIN_LISTEN": "9464"}, "host:port"),
        ({"PORCH_ADMIN_LISTEN": "localhost:99999"}, "host:port"),
    ],
)
def test_nonsense_is_refused(env: dict[str, str], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_ops_config({}, env)


def test_addresses() -> None:
    assert parse_address("0.0.0.0:9464") == ("0.0.0.0", 9464)
    assert parse_address("[::1]:9464") == ("::1", 9464)
    assert parse_address("metrics.internal:9100") == ("metrics.internal", 9100)


def test_the_command_says_what_is_wrong(tmp_path: Path) -> None:
    bad = porch("serve", "--data", str(tmp_path), env={"PORCH_SHUTDOWN_TIMEOUT": "soon"})
    assert bad.returncode == 2
    assert bad.stderr == "error: shutdown timeout is a number of seconds: 'soon'\n"
    flag = porch("serve", "--data", str(tmp_path), "--log-format", "xml")
    assert flag.returncode == 2 and "--log-format" in flag.stderr
