"""The profile's body figures and each activity's ``calories_method`` travel through
``fittrack sync``: a real server and two devices, on SQLite and on PostgreSQL.

The devices run in this process (CliRunner), as in the other sync tests but test_sync_e2e.py,
which drives real `fittrack` processes: what this test is about is the data that travels."""

from collections.abc import Callable

from tests.cli.test_profile_body_calories import FULL
from tests.sync.sync_support import Backend, Cli, Server, add_user, server_state


def test_body_figures_and_calories_methods_reach_the_other_device(
    backend: Backend,
    make_server: Callable[..., Server],
    cli_devices: Cli,
) -> None:
    server = make_server(backend)
    ana = add_user(backend.database_url, "ana")
    cli = cli_devices
    for name in ("a", "b"):
        cli.ok(name, "login", "--server", server.url, "--token", ana.token)
    cli.ok("a", "profile", "set", *FULL, "--resting-hr", "50", "--max-hr", "190")
    run = cli.json("a", "log", "run", "5k", "27:30", "--start=-3h")["activity"]
    yoga = cli.json("a", "log", "yoga", "45min", "--calories", "150", "--start=-1d")["activity"]
    assert (run["calories_method"], yoga["calories_method"]) == ("met_corrected", "given")
    assert cli.sync("a")["pushed"] == {"activities": 2, "goals": 0, "profile": 1}
    assert cli.sync("b")["pulled"] == {"activities": 2, "goals": 0, "profile": 1}

    shown = cli.json("b", "profile", "show")
    assert (shown["birth_date"], shown["sex"], shown["height_cm"]) == (
        "1990-05-01",
        "female",
        168.0,
    )
    assert (shown["resting_hr"], shown["max_hr"]) == (50, 190)
    on_b = {item["id"]: item for item in cli.json("b", "list")}
    assert on_b[run["id"]]["calories_method"] == "met_corrected"
    assert on_b[run["id"]]["calories_kcal"] == run["calories_kcal"]
    assert on_b[yoga["id"]]["calories_method"] == "given"
    with server.client(ana.token) as client:
        profile = client.get("/v1/profile").json()
        assert (profile["sex"], profile["max_hr"]) == ("female", 190)
        server_state(client)  # the server's own view reads back whole

    # Unset on b, then back to a.
    cli.ok("b", "profile", "set", "--height", "none")
    assert cli.sync("b")["pushed"]["profile"] == 1
    cli.sync("a")
    assert cli.json("a", "profile", "show")["height_cm"] is None
