"""`rustlamp config check` and `rustlamp plan`, run as the installed command."""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from platforms import not_on_windows
from run_cli import private_env, rustlamp

pytestmark = pytest.mark.windows

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path, {"TZ": "Europe/Amsterdam"})


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_check_accepts_the_example(env: dict[str, str]) -> None:
    result = rustlamp(["config", "check", str(ROOT / "config.example.toml")], env)
    assert result.returncode == 0
    assert result.stdout.strip().endswith("config.example.toml: ok")


def test_check_lists_every_error_with_file_line_and_key(env: dict[str, str], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.toml",
        'language = "fr"\n[reminders]\nevry = "45m"\nevery = "2s"\nstart = "25:00"\ndays = ["monday"]\n',
    )
    result = rustlamp(["config", "check", str(bad)], env)
    assert result.returncode == 2
    errors = result.stderr.splitlines()
    allowed = 'allowed: "auto", "nl", "en" or "de"'
    assert errors[0] == f"{bad}:1: language: 'fr' is not a known language; {allowed}"
    assert errors[1].startswith(
        f"{bad}:4: reminders.every: '2s' is out of range; allowed: a duration from 10s"
    )
    allowed = 'allowed: a time of day "HH:MM" from "00:00" to "23:59"'
    assert errors[2] == f"{bad}:5: reminders.start: '25:00' is not a time of day; {allowed}"
    assert errors[3].startswith(f"{bad}:6: reminders.days[0]: 'monday' is not a day (did you mean 'mon'?)")
    assert errors[4] == f"{bad}: 4 errors; rustlamp would keep its previous settings"
    assert f"{bad}:3: reminders.evry: warning: unknown key, ignored; did you mean `every`?" in result.stdout


def test_check_warnings_alone_still_pass(env: dict[str, str], tmp_path: Path) -> None:
    fine = write(tmp_path / "fine.toml", '[reminders]\nevery = "2m"\n')
    result = rustlamp(["config", "check", str(fine)], env)
    assert result.returncode == 0
    assert "warning: 2m is very often" in result.stdout
    assert result.stdout.strip().endswith(": ok")


def test_check_names_line_and_column_of_a_syntax_error(env: dict[str, str], tmp_path: Path) -> None:
    broken = write(tmp_path / "broken.toml", '[reminders]\nevery = "45m\n')
    result = rustlamp(["config", "check", str(broken)], env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{broken}:2: not valid TOML:")
    assert "line 2, column" in result.stderr


def test_check_of_a_missing_file_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    result = rustlamp(["config", "check", str(tmp_path / "nope.toml")], env)
    assert result.returncode == 2
    assert "nope.toml: no such file" in result.stderr


def test_config_option_works_before_and_after_the_subcommand(env: dict[str, str], tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.toml", "language = 1\n")
    for args in (["--config", str(bad), "config", "check"], ["config", "check", "--config", str(bad)]):
        result = rustlamp(args, env)
        assert result.returncode == 2, args
        assert "language" in result.stderr


@not_on_windows("XDG variables")
def test_default_config_place_follows_xdg(env: dict[str, str]) -> None:
    result = rustlamp(["config", "check"], env)
    assert result.returncode == 0
    assert f"{env['XDG_CONFIG_HOME']}/rustlamp/config.toml: no settings file here" in result.stdout
    folder = Path(env["XDG_CONFIG_HOME"]) / "rustlamp"
    folder.mkdir()
    write(folder / "config.toml", '[reminders]\nevery = "banana"\n')
    assert rustlamp(["config", "check"], env).returncode == 2


def test_plan_json_follows_the_rules_across_dst(env: dict[str, str], tmp_path: Path) -> None:
    config = write(
        tmp_path / "c.toml",
        '[reminders]\nevery = "45m"\n[routines.morning]\nat = "08:00"\ndays = ["sun", "mon"]\n',
    )
    # Friday 26 March 2027, 16:00 local; Europe moves to summer time on Sunday 28 March
    result = rustlamp(
        ["plan", "--config", str(config), "--from", "2027-03-26T16:00", "--count", "4", "--json"], env
    )
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["from"] == "settings"  # no lamp runs here
    assert plan["start"] == "2027-03-26T16:00:00+01:00"
    assert plan["events"] == [
        {"at": "2027-03-26T16:45:00+01:00", "kind": "reminder"},
        {"at": "2027-03-28T08:00:00+02:00", "kind": "routine", "name": "morning"},
        {"at": "2027-03-29T08:00:00+02:00", "kind": "routine", "name": "morning"},
        {"at": "2027-03-29T09:45:00+02:00", "kind": "reminder"},
    ]


def test_plan_default_is_ten_readable_lines_in_dutch(env: dict[str, str], tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", 'language = "nl"\n')
    result = rustlamp(["plan", "--config", str(config), "--from", "2027-03-26T16:00+01:00"], env)
    assert result.returncode == 0
    first, *lines = result.stdout.splitlines()
    # with --from the plan is the settings' whether or not a lamp runs, so it says nothing about one
    assert first == "Volgens je instellingen zou het zo gaan, vanaf vr 26 mrt 16:00:"
    assert len(lines) == 10
    assert lines[0] == "vr 26 mrt 16:45  herinnering"
    assert lines[1] == "ma 29 mrt 09:45  herinnering"
    # without --from, and no lamp to ask, it says so
    now = rustlamp(["plan", "--config", str(config), "--count", "1"], env)
    assert now.stdout.startswith("rustlamp draait niet. Volgens je instellingen zou het zo gaan, vanaf "), now


def test_plan_from_takes_a_plain_time_of_day(env: dict[str, str], tmp_path: Path) -> None:
    config = write(tmp_path / "c.toml", '[reminders]\nevery = "1h"\nstart = "00:00"\nend = "00:00"\n'
                   'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n')  # fmt: skip
    result = rustlamp(["plan", "--config", str(config), "--from", "16:30", "--count", "1", "--json"], env)
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    start = datetime.fromisoformat(plan["start"])
    assert (start.hour, start.minute) == (16, 30) and start.date() == datetime.now().astimezone().date()
    assert plan["events"] == [{"at": (start + timedelta(hours=1)).isoformat(), "kind": "reminder"}]


def test_plan_from_now_starts_after_now(env: dict[str, str]) -> None:
    before = datetime.now().astimezone()
    result = rustlamp(["plan", "--json", "--count", "1"], env)
    events = json.loads(result.stdout)["events"]
    assert len(events) == 1
    assert datetime.fromisoformat(events[0]["at"]) >= before + timedelta(minutes=45) - timedelta(seconds=5)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["plan", "--count", "0"], "--count: 0 does not fit; you can use 1 to 10000"),
        (["plan", "--count", "ten"], "'ten' is not a whole number"),
        (["plan", "--from", "yesterday"], "'yesterday' is not a time; you can use a time of day like 16:30"),
        (["dance"], "COMMAND: 'dance' does not fit here; you can choose from 'run', 'config'"),
    ],
)
def test_bad_arguments_get_usage_and_exit_2(env: dict[str, str], args: list[str], says: str) -> None:
    result = rustlamp(args, env)
    assert result.returncode == 2
    assert "usage: rustlamp" in result.stderr
    assert says in result.stderr


def test_python_dash_m_is_the_same_command(env: dict[str, str]) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "rustlamp", "--version"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("rustlamp ")


@pytest.mark.parametrize(
    ("language", "usage", "says"),
    [
        ("nl", "gebruik: rustlamp", "'tien' is geen heel getal; je kunt 1 tot en met 10000 gebruiken"),
        ("de", "Aufruf: rustlamp", "'tien' ist keine ganze Zahl; du kannst 1 bis 10000 angeben"),
    ],
)
def test_the_command_line_answers_in_the_settings_language(
    env: dict[str, str], tmp_path: Path, language: str, usage: str, says: str
) -> None:
    config = write(tmp_path / "c.toml", f'language = "{language}"\n')
    result = rustlamp(["plan", "--config", str(config), "--count", "tien"], env)
    assert result.returncode == 2
    assert result.stderr.startswith(usage)
    assert says in result.stderr


@pytest.mark.parametrize(
    ("language", "message", "said"),
    [
        ("nl", "argument COMMAND: invalid choice: 'dance' (choose from 'run', 'plan')",
         "COMMAND: 'dance' past hier niet; je kunt kiezen uit 'run', 'plan'"),
        ("de", "unrecognized arguments: --foo x",
         "rustlamp kennt --foo x nicht; --help zeigt, was du verwenden kannst"),
        ("de", "the following arguments are required: DAUER|heute", "es fehlt noch: DAUER|heute"),
        ("nl", "argument --all: not allowed with argument --before", "--all: gaat niet samen met --before"),
        ("en", "argument --all: not allowed with argument --before",
         "--all: cannot be used together with --before"),
        ("de", "argument --config: expected one argument", "--config: braucht dahinter noch einen Wert"),
        ("nl", "one of the arguments --all --before is required", "kies een van deze: --all --before"),
        ("en", "ambiguous option: --co could match --config, --count",
         "--co could mean --config, --count; please write it out in full"),
    ],
)  # fmt: skip
def test_argparses_own_complaints_are_said_in_the_language(language: str, message: str, said: str) -> None:
    from rustlamp.cli import argparse_said

    assert argparse_said(message, language) == said


@pytest.mark.parametrize("language", ["nl", "de"])
def test_every_help_speaks_the_language_of_the_app(
    env: dict[str, str], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rustlamp --help` follows the system's locale (language = "auto"), as the app does; every command's
    help shows the catalog's words for each line, and none of the English source's help lines is left."""
    from rustlamp.cli import build_parser
    from rustlamp.core.catalog import catalog

    locale = {"nl": "nl_NL.UTF-8", "de": "de_DE.UTF-8"}[language]
    env = {**env, "LANG": locale, "LC_ALL": locale, "LANGUAGE": "", "COLUMNS": "100"}
    monkeypatch.setenv("COLUMNS", "100")
    parser = build_parser(language)
    pause = next(sub for sub in _parsers(parser) if sub.prog == "rustlamp pause")
    for args, helper in ((["--help"], parser), (["pause", "--help"], pause)):
        said = rustlamp(args, env)
        assert (said.stdout, said.returncode) == (helper.format_help(), 0), said.stderr
    english, words = catalog("en").table("cli"), catalog(language).table("cli")
    shown = " ".join(" ".join(sub.format_help().split()) for sub in _parsers(parser))  # unwrapped
    helped = {action.help for sub in _parsers(parser) for action in _actions(sub)} - {None}
    assert len(helped) > 35 and helped <= set(words.values())
    assert all(" ".join(line.split()) in shown for line in helped)
    left = [
        english[key]
        for key in english
        if english[key] != words[key] and re.search(rf"(?<!\w){re.escape(english[key].strip())}(?!\w)", shown)
    ]
    assert left == [], "English help in a translated command line"


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """A parser and every subcommand's, depth first."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += _parsers(sub)
    return found


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += action._choices_actions  # the commands' one-line help in the list
    return found


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["run"],
        ["--config", "x", "-vv", "run"],
        ["run", "--config=y", "--verbose", "-v"],
        ["-v", "run", "--config", "a", "--config", "b"],
    ],
)
def test_starting_the_app_reads_its_words_as_the_full_parser_does(words: list[str]) -> None:
    """The lamp starts without building every command's parser (less to keep in its memory for weeks)."""
    from rustlamp.cli import _only_runs_the_app, build_parser

    found = _only_runs_the_app(words)
    assert found is not None and vars(found) == vars(build_parser().parse_args(words))


@pytest.mark.parametrize(
    "words",
    [["--help"], ["run", "-h"], ["--config"], ["plan"], ["run", "--bogus"], ["--version"], ["run", "run"]],
)
def test_anything_else_goes_to_the_full_parser(words: list[str]) -> None:
    from rustlamp.cli import _only_runs_the_app

    assert _only_runs_the_app(words) is None
