"""The command line's answers speak the language of the app (language = "auto" follows the system's locale),
not only its help: `config check` (the precise problem in the person's language, the sentence around it),
`journal export` and `journal import`, and a journal that cannot be used. The installed `rustlamp`, run as a
person would, in Dutch and in German; English is held by test_cli.py and test_hostile_corpus.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_cli import private_env, rustlamp

LOCALES = {"nl": "nl_NL.UTF-8", "de": "de_DE.UTF-8"}

# what each answer says, in the language; {path} and {dir} are filled in
EXPECTED = {
    "nl": {
        "problem": "{path}:2: reminders.every: '3x' is geen duur; wat wel kan: een duur van 10s tot 24h, "
        'zoals "90s", "20m", "1h30m"',
        "errors": "{path}: 1 fout; rustlamp zou zijn vorige instellingen houden",
        "ok": "{path}: in orde",
        "dates": "rustlamp: --since 2026-02-01 valt na --until 2026-01-01, dus er zit niets tussen",
        "import": "rustlamp: {path}: regel 1: 'at' moet een tekst zijn (ISO 8601 met een tijdverschil, zoals "
        "2024-05-06T09:30:00+02:00); rustlamp journal import leest wat rustlamp journal export --format json "
        "schrijft",
        "folder": "rustlamp: {dir}: het is een map, geen gewoon bestand; rustlamp journal import leest wat "
        "rustlamp journal export --format json schrijft",
        "journal": "rustlamp: het dagboek {path} is geen database",
    },
    "de": {
        "problem": "{path}:2: reminders.every: '3x' ist keine Dauer; möglich ist eine Dauer von 10s bis 24h, "
        'etwa "90s", "20m", "1h30m"',
        "errors": "{path}: 1 Fehler; rustlamp würde seine bisherigen Einstellungen behalten",
        "ok": "{path}: alles in Ordnung",
        "dates": "rustlamp: --since 2026-02-01 liegt nach --until 2026-01-01, dazwischen gibt es also nichts",
        "import": "rustlamp: {path}: Eintrag 1: 'at' muss ein Text sein (eine ISO-8601-Zeit mit Zeitzone, "
        "etwa 2024-05-06T09:30:00+02:00); rustlamp journal import liest, was rustlamp journal export "
        "--format json schreibt",
        "folder": "rustlamp: {dir}: das ist ein Ordner, keine gewöhnliche Datei; rustlamp journal import "
        "liest, was rustlamp journal export --format json schreibt",
        "journal": "rustlamp: das Tagebuch {path} ist keine Datenbank",
    },
}


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_the_command_lines_answers_speak_the_language_of_the_app(tmp_path: Path, language: str) -> None:
    locale = LOCALES[language]
    env = private_env(tmp_path, {"LANG": locale, "LC_ALL": locale, "LANGUAGE": "", "TZ": "Europe/Amsterdam"})
    said = EXPECTED[language]

    broken = tmp_path / "broken.toml"
    broken.write_text('[reminders]\nevery = "3x"\n', encoding="utf-8")
    checked = rustlamp(["config", "check", str(broken)], env)
    assert checked.returncode == 2
    assert checked.stderr.splitlines() == [
        said["problem"].format(path=broken),  # precise: the value as the file writes it
        said["errors"].format(path=broken),
    ]
    fine = tmp_path / "fine.toml"
    fine.write_text('[reminders]\nevery = "45m"\n', encoding="utf-8")
    checked = rustlamp(["config", "check", str(fine)], env)
    assert (checked.stdout.strip(), checked.returncode) == (said["ok"].format(path=fine), 0), checked.stderr

    exported = rustlamp(["journal", "export", "--since", "2026-02-01", "--until", "2026-01-01"], env)
    assert (exported.stderr.strip(), exported.returncode) == (said["dates"], 2)

    export = tmp_path / "export.json"
    export.write_text(json.dumps([{"at": 1, "kind": "break"}]), encoding="utf-8")
    imported = rustlamp(["journal", "import", str(export)], env)
    assert (imported.stderr.strip(), imported.returncode) == (said["import"].format(path=export), 2)
    imported = rustlamp(["journal", "import", str(tmp_path)], env)
    assert (imported.stderr.strip(), imported.returncode) == (said["folder"].format(dir=tmp_path), 2)

    journal = tmp_path / "data" / "rustlamp" / "journal.sqlite3"
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_bytes(b"not a database, only some bytes " * 64)
    exported = rustlamp(["journal", "export"], env)
    assert (exported.stderr.strip(), exported.returncode) == (said["journal"].format(path=journal), 1)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nl", "rustlamp: de draaiende rustlamp antwoordde: onbekende opdracht 'snooze:600s'"),
        ("de", "rustlamp: das laufende rustlamp antwortete: unbekannter Befehl 'snooze:600s'"),
        ("en", "rustlamp: the running rustlamp answered: unknown command 'snooze:600s'"),
    ],
)
def test_the_running_rustlamps_no_is_said_in_the_language(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    language: str,
    said: str,
) -> None:
    """The lamp's refusal carries its catalog key and values (rustlamp.system.control.failed): the
    command line says it in the person's language; a key it does not know (a newer lamp's) stays English."""
    from rustlamp import cli
    from rustlamp.system import control

    locale = LOCALES.get(language, "C.UTF-8")
    for name, value in private_env(tmp_path, {"LANG": locale, "LC_ALL": locale, "LANGUAGE": ""}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(
        control,
        "send",
        lambda key, *args, **kwargs: control.failed("control.unknown_command", command=repr(key)),
    )
    assert cli.main(["snooze", "10m"]) == cli.EXIT_PROBLEM
    assert capsys.readouterr().err.strip() == said

    newer = {"ok": False, "error": "a newer lamp's own words", "words": "control.from_a_newer_lamp"}
    monkeypatch.setattr(control, "send", lambda key, *args, **kwargs: newer)
    assert cli.main(["snooze", "10m"]) == cli.EXIT_PROBLEM
    assert capsys.readouterr().err.strip().endswith(": a newer lamp's own words")
