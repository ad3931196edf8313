"""`fittrack login`, `logout`, `config` and the sync lines of `status`, in this process against the
in-process server: the token is checked before anything is written, kept in a file only its owner
can read, asked for without echo when not given; bad addresses and settings are usage errors."""

import json
import stat
import tomllib

import pytest
from tests.sync.conftest import Live
from tests.sync.sync_support import Cli, add_user, dump, revoke


def _config(devices: Cli, name: str) -> dict[str, object]:
    with devices.config(name).open("rb") as stream:
        return tomllib.load(stream)


def test_login_checks_the_token_then_keeps_it_readable_only_by_its_owner(
    live: Live, cli_devices: Cli
) -> None:
    ana = add_user(live.database_url, "ana")

    wrong = cli_devices.run("a", "login", "--server", live.url, "--token", "ft_not-a-token")
    assert wrong.exit_code == 1, wrong.stdout + wrong.stderr
    assert "refused the token" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    assert not cli_devices.config("a").exists()

    done = cli_devices.ok("a", "login", "--server", live.url + "/", "--token", ana.token)
    assert ana.email in done.stdout
    assert ana.token not in done.stdout + done.stderr
    assert _config(cli_devices, "a") == {"server": live.url, "token": ana.token}
    mode = stat.S_IMODE(cli_devices.config("a").stat().st_mode)
    assert mode == 0o600, oct(mode)
    shown = cli_devices.json("a", "config", "show")
    assert shown["server"] == live.url
    assert ana.token not in json.dumps(shown)  # only its first characters

    # A wrong token later leaves the good one in place.
    again = cli_devices.run("a", "login", "--server", live.url, "--token", "ft_wrong")
    assert again.exit_code == 1
    assert _config(cli_devices, "a") == {"server": live.url, "token": ana.token}


def test_login_reads_a_piped_token_without_a_prompt(live: Live, cli_devices: Cli) -> None:
    # Standard input is not a terminal under CliRunner: the token is read from it as it comes
    # (tests/cli/test_login.py runs a real pipe).
    ana = add_user(live.database_url, "ana")
    done = cli_devices.ok("a", "login", "--server", live.url, input=f"{ana.token}\n")
    assert "API token" not in done.stderr
    assert ana.token not in done.stdout + done.stderr
    assert _config(cli_devices, "a")["token"] == ana.token

    refused = cli_devices.run("b", "login", "--server", live.url, input="ft_wrong\n")
    assert refused.exit_code == 1
    assert "refused the token" in refused.stderr
    assert not cli_devices.config("b").exists()


@pytest.mark.parametrize("address", ["ftp://x", "nonsense", "http://", "localhost:8000"])
def test_login_refuses_what_is_not_a_server_address(
    live: Live, cli_devices: Cli, address: str
) -> None:
    ana = add_user(live.database_url, "ana")
    result = cli_devices.run("a", "login", "--server", address, "--token", ana.token)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "not a server address" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not cli_devices.config("a").exists()


def test_logout_forgets_the_server_and_keeps_the_log(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "config", "set", "auto_sync", "true")
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    cli_devices.ok("a", "sync")

    done = cli_devices.ok("a", "logout")
    assert f"Logged out of {live.url}" in done.stdout
    assert _config(cli_devices, "a") == {"auto_sync": True}
    assert len(cli_devices.json("a", "list")) == 1

    refused = cli_devices.run("a", "sync")
    assert refused.exit_code == 1
    assert "not logged in" in refused.stderr
    assert "Not logged in." in cli_devices.ok("a", "logout").stdout
    # With auto_sync still on and no server, a change is simply saved.
    cli_devices.ok("a", "log", "ride", "20k", "45:00")
    assert len(cli_devices.json("a", "list")) == 2


def test_sync_when_not_logged_in_says_so_and_changes_nothing(cli_devices: Cli) -> None:
    cli_devices.ok("a", "log", "run", "5k", "27:30")
    before = dump(cli_devices.db("a"))
    for args in (["sync"], ["sync", "--json"]):
        result = cli_devices.run("a", *args)
        assert result.exit_code == 1
        assert "not logged in" in result.stderr
        assert "fittrack login --server" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stdout == ""
    assert dump(cli_devices.db("a")) == before


def test_status_says_when_this_device_last_synced(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    cli_devices.ok("a", "goal", "add", "20km", "--per", "week")
    assert cli_devices.json("a", "status")["last_sync"] is None
    assert "Last synced" not in cli_devices.ok("a", "status").stdout

    report = cli_devices.sync("a")
    status = cli_devices.json("a", "status")
    assert status["last_sync"] == report["last_sync"]
    assert status["last_sync"] is not None
    assert "Last synced" in cli_devices.ok("a", "status").stdout

    # A sync that fails does not move it.
    revoke(live.database_url, ana.token)
    assert cli_devices.run("a", "sync").exit_code == 1
    assert cli_devices.json("a", "status")["last_sync"] == report["last_sync"]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("auto_sync", "maybe", "true or false"),
        ("colour", "red", "unknown setting"),
        ("token", "ft_x", "is set by `fittrack login"),  # which checks it
    ],
)
def test_config_set_refuses_unknown_settings_and_values(
    cli_devices: Cli, key: str, value: str, said: str
) -> None:
    result = cli_devices.run("a", "config", "set", key, value)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert not cli_devices.config("a").exists()


def test_config_set_keeps_the_login(live: Live, cli_devices: Cli) -> None:
    ana = add_user(live.database_url, "ana")
    cli_devices.ok("a", "login", "--server", live.url, "--token", ana.token)
    assert cli_devices.ok("a", "config", "set", "auto_sync", "true").stdout.strip() == (
        "auto_sync = true"
    )
    assert _config(cli_devices, "a") == {"server": live.url, "token": ana.token, "auto_sync": True}
    assert cli_devices.json("a", "config", "show")["auto_sync"] is True
    cli_devices.ok("a", "config", "set", "auto_sync", "off")
    assert cli_devices.json("a", "config", "show")["auto_sync"] is False
    mode = stat.S_IMODE(cli_devices.config("a").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_login_reads_a_token_piped_in_a_real_process(live: Live, tmp_path) -> None:
    # `printf TOKEN | fittrack login --server URL`: no prompt, and no GetPassWarning ("can not
    # control echo on the terminal"), which getpass gives when standard input is not a terminal.
    import os
    import subprocess
    import sys

    ana = add_user(live.database_url, "ana")
    home = tmp_path / "piped"
    done = subprocess.run(
        [sys.executable, "-W", "always", "-m", "fittrack", "login", "--server", live.url],
        input=ana.token + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "FITTRACK_HOME": str(home)},
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "GetPassWarning" not in done.stderr
    assert "echo" not in done.stderr
    assert "API token" not in done.stderr
    assert ana.email in done.stdout
    with (home / "config.toml").open("rb") as stream:
        assert tomllib.load(stream)["token"] == ana.token


def test_login_takes_the_token_from_fittrack_token(
    live: Live, cli_devices: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = add_user(live.database_url, "ana")
    monkeypatch.setenv("FITTRACK_TOKEN", ana.token)
    done = cli_devices.ok("a", "login", "--server", live.url, input="ft_never-read\n")
    assert ana.email in done.stdout
    assert _config(cli_devices, "a")["token"] == ana.token
