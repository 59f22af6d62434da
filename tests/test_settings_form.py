"""The settings window's form without a display: what it reads, what changed, where each problem is said,
and what saving writes (real files in tmp_path; the running app and start at login are stand-ins)."""

from __future__ import annotations

import os
import stat
import sys
from importlib import resources
from pathlib import Path

import pytest

from rustlamp.core.config import DAY_NAMES, Problem, load_settings, parse_settings
from rustlamp.settings_file import REMOVE
from rustlamp.ui.settings_form import (
    SETTINGS,
    Form,
    Routine,
    comma_list,
    home_short,
    line_list,
    note_text,
    owner_key,
    problem_text,
)
from rustlamp.ui.settings_words import SETTINGS_TEXTS, TAB_KEYS

pytestmark = pytest.mark.windows

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

HAND_WRITTEN = """\
# My rustlamp settings, written by hand.
language = "auto"
mood = "calm"            # not a rustlamp key: it stays

[reminders]
every = "45m"   # a gentle pace
start = 08:30:00         # a TOML time, not a string
days = ["mon", "tue", "wed", "thu", "fri"]
snooze = ["10m", "30m"]

# the mornings
[routines.morning]
at = "08:00"
prompt = "Twee minuten ademen."

[routines."tea time"]
at = "15:30"
days = ["sat", "sun"]
colour = "green"         # unknown here too
"""

EVERY = ("reminders", "every")


class StandInAutostart:
    """What the form needs of rustlamp.system.autostart, touching nothing."""

    def __init__(self, on: bool = False, fails: bool = False) -> None:
        self.on = on
        self.fails = fails

    def is_enabled(self) -> bool:
        return self.on

    def enable(self) -> None:
        if self.fails:
            raise PermissionError(13, "Permission denied")
        self.on = True

    def disable(self) -> None:
        self.on = False


class Told:
    """The running app, as far as the form can tell it anything."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def _form(
    tmp_path: Path, text: str | None = HAND_WRITTEN, language: str = "en", autostart: object = None
) -> tuple[Form, Path, Told]:
    config = tmp_path / "config.toml"
    if text is not None:
        config.write_text(text, encoding="utf-8")
    told = Told()
    form = Form(language, config, autostart, told)  # type: ignore[arg-type]
    form.reload(quiet=True)
    return form, config, told


def _core_problem(text: str, path: Path, key: str) -> Problem:
    found = [p for p in parse_settings(text, str(path)).problems if p.key == key]
    assert len(found) == 1, found
    return found[0]


def _edit(form: Form, path: tuple[str, ...], text: object) -> None:
    value = form.value(path)
    value.current = text  # type: ignore[attr-defined]
    form.edited()


# ----- reading and changing -----------------------------------------------------------------------------


def test_the_file_is_shown_as_written_and_nothing_read_is_a_change(tmp_path: Path) -> None:
    form, _, _ = _form(tmp_path)
    assert form.value(EVERY).current == "45 min"  # type: ignore[attr-defined]  # "45m" in words
    assert form.value(("reminders", "start")).current == "08:30"  # type: ignore[attr-defined]
    assert form.value(("reminders", "end")).current == "17:30"  # type: ignore[attr-defined]  # the default
    assert form.value(("reminders", "snooze")).current == "10 min, 30 min"  # type: ignore[attr-defined]
    assert form.value(("reminders", "days")).current == frozenset(range(5))  # type: ignore[attr-defined]
    assert form.value(("language",)).current == "auto"  # type: ignore[attr-defined]
    assert [r.name for r in form.routines] == ["morning", "tea time"]
    assert form.routine("morning").prompt.current == "Twee minuten ademen."
    assert form.routine("tea time").prompt.current == ""  # empty: rustlamp picks the words
    assert form.changes() == {} and not form.can_save


def test_one_change_saved_rewrites_only_its_line_and_the_app_is_told(tmp_path: Path) -> None:
    form, config, told = _form(tmp_path)
    _edit(form, EVERY, " 30m ")
    assert form.changes() == {EVERY: "30m"} and form.can_save
    assert form.save()
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        'every = "45m"   # a gentle pace', 'every = "30m"   # a gentle pace'
    )
    assert told.count == 1 and form.saved
    assert form.status.words == SETTINGS_TEXTS["en"]["saved"]
    assert form.changes() == {} and not form.can_save  # what is in the file now is what was read
    _edit(form, EVERY, "31m")
    assert form.status.kind == ""  # "Saved." goes with the next edit


def test_an_edit_undone_is_no_change_and_spaces_or_list_spacing_do_not_count(tmp_path: Path) -> None:
    form, _, _ = _form(tmp_path)
    _edit(form, EVERY, "20m")
    _edit(form, EVERY, "45m ")  # as the file has it
    _edit(form, ("reminders", "snooze"), "10m,30m,")
    _edit(form, ("prompts", "extra"), "\n\n")
    assert form.changes() == {}
    _edit(form, EVERY, "45 minuten")  # another way of writing the same time is no change either
    _edit(form, ("reminders", "snooze"), "10 minutes, 0.5 uur")
    assert form.changes() == {}
    _edit(form, EVERY, "1 uur")  # a change is written as typed: the core reads it
    assert form.changes() == {EVERY: "1 uur"}
    _edit(form, EVERY, "45m")
    _edit(form, ("reminders", "start"), "8.30")  # a time, too: the file's 08:30:00
    _edit(form, ("reminders", "end"), "17:30")  # the default, as the window shows it
    assert form.changes() == {}
    _edit(form, ("reminders", "end"), "17.45")
    assert form.changes() == {("reminders", "end"): "17.45"}


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("nl", ["1 uur 30 min", "10 min, 1 uur, 2 uur", "5 min", "4 sec", "6 sec", "", "0 min"]),
        ("en", ["1 hour 30 min", "10 min, 1 hour, 2 hours", "5 min", "4 sec", "6 sec", "", "0 min"]),
    ],
)
def test_durations_and_times_are_shown_as_people_write_them_whatever_form_the_file_has(
    tmp_path: Path, language: str, shown: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[reminders]\nevery = "1h30m"\nsnooze = ["10m", "60 min", "2h"]\n', encoding="utf-8")
    form = Form(language, config, None, Told())
    form.reload(quiet=True)
    paths = [
        EVERY,
        ("reminders", "snooze"),
        ("break", "length"),
        ("break", "inhale"),
        ("break", "exhale"),
        ("idle", "natural_break_after"),
        ("checkin", "sooner_when_hurried"),
    ]
    assert [form.value(path).current for path in paths] == shown  # type: ignore[attr-defined]
    assert form.changes() == {}
    config.write_text('[reminders]\nstart = "8.30"\n[routines.tea]\nat = "15.00"\n', encoding="utf-8")
    form.reload(quiet=True)
    assert form.value(("reminders", "start")).current == "08:30"  # type: ignore[attr-defined]
    assert form.routine("tea").at.current == "15:00" and form.changes() == {}  # times as shown here too
    config.write_text('[reminders]\nevery = "soon"\n', encoding="utf-8")
    form.reload(quiet=True)
    assert form.value(EVERY).current == "soon"  # type: ignore[attr-defined]  # no duration: as written
    assert form.setting(EVERY).error


def test_a_wrong_value_is_said_beside_its_field_in_the_cores_words_and_save_stays_off(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path)
    # Problems the file has already: an unknown key no field owns goes to the line under the tabs, with
    # the words `config check` prints; one inside a routine is said with that routine.
    mood = _core_problem(HAND_WRITTEN, config, "mood")
    words, error = form.elsewhere_words()
    assert problem_text(mood) in words and not error
    assert words.startswith(SETTINGS_TEXTS["en"]["in_the_file"])
    colour = _core_problem(HAND_WRITTEN, config, 'routines."tea time".colour')
    assert form.routine("tea time").notes == (f"colour: warning: {colour.message}",)
    assert not form.routine("tea time").error and not form.errors

    _edit(form, EVERY, "banana")
    expected = _core_problem(HAND_WRITTEN.replace('"45m"', '"banana"'), config, "reminders.every")
    setting = form.setting(EVERY)
    assert setting.notes == (expected.message_in("en"),) and setting.error  # plainly, for a person
    assert "from 10 sec to 24 hours" in setting.notes[0]
    assert expected.message.startswith("'banana' is not a duration")  # config check: precisely
    assert form.tab_has_error(TAB_KEYS.index("reminders")) and not form.tab_has_error(0)
    assert not form.can_save and not form.save()
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN

    _edit(form, EVERY, "20m")
    assert not setting.notes and not setting.error and form.can_save


def test_the_active_hours_share_one_place_for_their_problems(tmp_path: Path) -> None:
    form, _, _ = _form(tmp_path)
    _edit(form, ("reminders", "end"), "25:00")
    hours = form.setting(("reminders", "start"))
    assert hours is form.setting(("reminders", "end")) and hours.spec.kind == "hours"
    assert hours.error and len(hours.notes) == 1


def test_a_dutch_form_says_the_cores_problems_in_dutch(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path, language="nl")
    words, _ = form.elsewhere_words()
    assert "mood: let op: onbekende naam, rustlamp slaat hem over; namen die hier kunnen: language, " in words
    assert words.startswith("In het bestand:")
    assert form.routine("tea time").notes == (
        "colour: let op: onbekende naam, rustlamp slaat hem over; namen die hier kunnen: "
        "at, days, prompt, enabled, kind",
    )
    _edit(form, EVERY, "banana")
    expected = _core_problem(HAND_WRITTEN.replace('"45m"', '"banana"'), config, "reminders.every")
    (said,) = form.setting(EVERY).notes
    assert said == expected.message_in("nl") != expected.message
    assert said.startswith("'banana' is geen duur")


def test_more_than_three_problems_elsewhere_end_with_how_many_more(tmp_path: Path) -> None:
    text = "".join(f"unknown{n} = {n}\n" for n in range(5))
    form, _, _ = _form(tmp_path, text, language="nl")
    words, _ = form.elsewhere_words()
    assert words.splitlines()[-1] == "en nog 2" and len(words.splitlines()) == 5


# ----- days and routines ---------------------------------------------------------------------------------


def test_days_and_routines_changed_and_saved(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path)
    _edit(form, ("reminders", "days"), frozenset({0, 1, 3, 4}))
    form.remove_routine("morning")
    evening = form.add_routine("  avond ")
    assert isinstance(evening, Routine) and evening.name == "avond" and evening.at.current == "12:00"
    evening.at.current = "21:30"
    evening.days.current = frozenset(range(7)) - {5}
    form.edited()
    assert form.save()
    text = config.read_text(encoding="utf-8")
    settings = parse_settings(text, str(config)).settings
    assert settings is not None
    assert settings.reminders.days == frozenset({0, 1, 3, 4})
    assert [r.name for r in settings.routines] == ["tea time", "avond"]
    tea, avond = settings.routines
    assert (tea.at.isoformat("minutes"), tea.days, tea.enabled) == ("15:30", frozenset({5, 6}), True)
    assert avond.at.isoformat("minutes") == "21:30" and avond.days == frozenset(range(7)) - {5}
    assert "Twee minuten ademen." not in text  # morning went with its prompt
    assert 'colour = "green"         # unknown here too' in text  # tea time as it was
    assert [r.name for r in form.routines] == ["tea time", "avond"] and not form.routines[1].new


def test_a_routine_removed_and_added_again_is_no_change_and_names_are_checked(tmp_path: Path) -> None:
    form, _, _ = _form(tmp_path, language="nl")
    words = SETTINGS_TEXTS["nl"]
    form.remove_routine("morning")
    assert form.changes() == {("routines", "morning"): REMOVE}
    back = form.add_routine("morning")  # back as it was in the file, prompt and all
    assert isinstance(back, Routine) and back.prompt.current == "Twee minuten ademen."
    assert form.changes() == {} and [r.name for r in form.routines] == ["tea time", "morning"]
    assert form.add_routine("tea time") == words["routine_name_taken"]
    assert form.add_routine("  ") == words["routine_name_empty"]
    form.add_routine("walk")
    assert form.changes() == {("routines", "walk", "at"): "12:00"}  # the defaults are left out
    form.remove_routine("walk")
    assert form.changes() == {}  # never written, so nothing to take out


def test_a_routines_words_edited_cleared_and_new(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path)
    morning = form.routine("morning")
    morning.prompt.current = "Drie keer rustig ademen."
    form.edited()
    assert form.changes() == {("routines", "morning", "prompt"): "Drie keer rustig ademen."}
    morning.prompt.current = ""
    form.edited()
    assert form.changes() == {("routines", "morning", "prompt"): REMOVE}  # out, not an empty string
    assert form.save()
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace('prompt = "Twee minuten ademen."\n', "")

    with_words, without = form.add_routine("avond"), form.add_routine("nacht")
    assert isinstance(with_words, Routine) and isinstance(without, Routine)
    with_words.at.current, with_words.prompt.current = "21:30", "Even naar buiten kijken."
    without.at.current = "23:00"
    form.edited()
    assert form.save()
    routines = tomllib.loads(config.read_text(encoding="utf-8"))["routines"]
    assert routines["avond"] == {"at": "21:30", "prompt": "Even naar buiten kijken."}
    assert routines["nacht"] == {"at": "23:00"}  # no prompt key: rustlamp picks the words


def test_a_routines_kind_is_its_name_until_the_person_says_otherwise(tmp_path: Path) -> None:
    written = HAND_WRITTEN + '\n[routines.reading]\nat = "20:00"\nkind = "evening"\n'
    form, config, _ = _form(tmp_path, written)
    kinds = {r.name: r.kind.current for r in form.routines}
    assert kinds == {"morning": "morning", "tea time": "other", "reading": "evening"}  # as the core has them
    assert kinds == {r.name: r.kind for r in parse_settings(written, str(config)).settings.routines}
    assert form.changes() == {}
    form.routine("tea time").kind.current = "evening"
    form.edited()
    assert form.changes() == {("routines", "tea time", "kind"): "evening"}
    assert form.save()
    evening, other = form.add_routine("Avond"), form.add_routine("lezen")
    assert isinstance(evening, Routine) and isinstance(other, Routine)
    assert (evening.kind.current, other.kind.current) == ("evening", "other")
    other.kind.current = "morning"
    form.edited()
    assert form.save()
    routines = tomllib.loads(config.read_text(encoding="utf-8"))["routines"]
    assert routines["tea time"]["kind"] == "evening"
    assert (
        "kind" not in routines["Avond"] and routines["lezen"]["kind"] == "morning"
    )  # only when not its name's
    (tmp_path / "b").mkdir()
    broken, _, _ = _form(tmp_path / "b", '[routines.x]\nat = "08:00"\nkind = "noon"\n')
    assert broken.routine("x").kind.current == "" and broken.routine("x").error  # none chosen, and said why


def test_a_problem_with_a_routines_words_is_said_with_it_until_they_are_put_right(tmp_path: Path) -> None:
    written = HAND_WRITTEN.replace('prompt = "Twee minuten ademen."', 'prompt = ""   # to do')
    form, config, _ = _form(tmp_path, written)
    morning = form.routine("morning")
    problem = _core_problem(written, config, "routines.morning.prompt")
    assert problem.severity == "error" and morning.error
    assert morning.notes == (f"Words: {problem.message}",)
    assert form.tab_has_error(TAB_KEYS.index("routines")) and not form.can_save
    morning.prompt.current = "Look out of the window."
    form.edited()
    assert not morning.error and not form.tab_has_error(TAB_KEYS.index("routines"))
    assert form.save()
    assert config.read_text(encoding="utf-8") == written.replace(
        'prompt = ""   # to do', 'prompt = "Look out of the window."   # to do'
    )


# ----- the file on disk ----------------------------------------------------------------------------------


def test_a_file_changed_on_disk_is_never_overwritten_and_reload_shows_it(tmp_path: Path) -> None:
    form, config, told = _form(tmp_path)
    _edit(form, EVERY, "30m")
    elsewhere = HAND_WRITTEN.replace('"45m"', '"50m"')
    config.write_text(elsewhere, encoding="utf-8")
    assert not form.save()
    assert form.status.kind == "changed_on_disk" and form.status.offers_reload and form.status.trouble
    assert config.read_text(encoding="utf-8") == elsewhere and told.count == 0
    form.reload()
    assert form.value(EVERY).current == "50 min"  # type: ignore[attr-defined]
    assert form.changes() == {} and form.status.words == SETTINGS_TEXTS["en"]["reloaded"]


def test_with_no_file_yet_saving_creates_it_0600_with_only_the_changed_key(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path / "new", None)
    assert form.value(EVERY).current == "45 min"  # type: ignore[attr-defined]  # the default
    _edit(form, ("break", "length"), "3m")
    assert form.save()
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {"break": {"length": "3m"}}
    if os.name == "posix":
        assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_empty_natural_break_after_takes_the_key_out(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path, '[idle]\nnatural_break_after = "10m"  # mine\n')
    _edit(form, ("idle", "natural_break_after"), "")
    assert form.changes() == {("idle", "natural_break_after"): REMOVE}
    assert form.save()
    assert "natural_break_after" not in config.read_text(encoding="utf-8")


def test_start_at_login_is_switched_without_touching_the_file(tmp_path: Path) -> None:
    autostart = StandInAutostart()
    form, config, told = _form(tmp_path, autostart=autostart)
    assert not form.autostart_current
    form.autostart_current = True
    form.edited()
    assert form.has_changes() and form.changes() == {} and form.can_save
    assert form.save() and autostart.on and form.saved
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN and told.count == 0
    assert not form.has_changes()


def test_start_at_login_that_cannot_be_switched_says_why(tmp_path: Path) -> None:
    form, _, _ = _form(tmp_path, language="nl", autostart=StandInAutostart(fails=True))
    form.autostart_current = True
    assert not form.save()
    assert form.status.words == "Starten bij inloggen kon niet worden aangepast: Permission denied"


def test_a_file_that_is_not_toml_is_read_only_until_it_is_mended(tmp_path: Path) -> None:
    broken = '[reminders]\nevery = "45m\n'
    form, config, _ = _form(tmp_path, broken)
    assert form.read_only is not None
    assert str(form.read_only) in form.read_only_words()
    assert form.read_only_words().startswith(SETTINGS_TEXTS["en"]["read_only"])
    assert form.changes() == {} and not form.can_save and not form.save()
    assert config.read_text(encoding="utf-8") == broken
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    form.reload()
    assert form.read_only is None and form.changes() == {}


def test_a_file_that_is_not_utf8_is_read_only_with_the_words_of_config_check(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[reminders]\nevery = "45m" # caf\xe9\n')
    form = Form("en", config)
    form.reload(quiet=True)
    (problem,) = load_settings(config).problems
    assert form.read_only is not None and str(problem) in form.read_only_words()
    assert "is not UTF-8 text" in str(problem)


def test_a_bom_and_windows_line_endings_stay_as_they_were(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    written = "\ufeff" + HAND_WRITTEN.replace("\n", "\r\n")
    config.write_bytes(written.encode("utf-8"))
    form = Form("en", config, None, Told())
    form.reload(quiet=True)
    assert form.read_only is None  # `config check` reads it, so the window does too
    _edit(form, EVERY, "30m")
    assert form.save()
    assert config.read_bytes().decode("utf-8") == written.replace('"45m"', '"30m"')


def test_open_the_file_makes_it_from_the_example_and_hands_it_over(tmp_path: Path) -> None:
    form, config, _ = _form(tmp_path / "settings", None)
    opened: list[Path] = []

    def opener(path: Path) -> None:
        opened.append(path)

    form.open_file(opener)
    example = (resources.files("rustlamp") / "config.example.toml").read_text(encoding="utf-8")
    assert config.read_text(encoding="utf-8") == example and opened == [config]
    assert form.status.kind == "opened" and form.status.offers_reload
    assert form.snapshot.text == example and form.changes() == {}  # what it made is what is edited now
    form.open_file(lambda _path: "no editor")
    assert form.status.words == "The file could not be opened: no editor"


# ----- the settings' list and the pure helpers -------------------------------------------------------


def test_every_row_has_its_words_in_both_languages() -> None:
    assert SETTINGS_TEXTS["nl"].keys() == SETTINGS_TEXTS["en"].keys()
    assert all(SETTINGS_TEXTS[language].values() for language in ("nl", "en"))
    for specs in SETTINGS.values():
        for spec in specs:
            assert spec.label in SETTINGS_TEXTS["en"], spec
            assert not spec.hint or spec.hint in SETTINGS_TEXTS["en"], spec


def test_the_dnd_keys_the_core_knows_are_all_shown() -> None:
    from dataclasses import fields

    from rustlamp.core.config import DEFAULTS

    shown = {spec.path for specs in SETTINGS.values() for spec in specs}
    assert {("dnd", f.name) for f in fields(DEFAULTS.dnd)} <= shown


def test_a_problem_belongs_to_the_field_of_its_key() -> None:
    shown = ["reminders.every", "reminders.snooze", "routines.tea", 'routines."tea time"']
    assert owner_key("reminders.every", shown) == "reminders.every"
    assert owner_key("reminders.snooze[1]", shown) == "reminders.snooze"
    assert owner_key('routines."tea time".days[2]', shown) == 'routines."tea time"'
    assert owner_key("routines.tea.prompt", shown) == "routines.tea"
    assert owner_key("routines.teapot.at", shown) is None  # not a prefix at a key's edge
    assert owner_key("mood", shown) is None
    problem = Problem("/x/config.toml", 4, "reminders.every", "'b' is not a duration")
    assert problem_text(problem) == "reminders.every: 'b' is not a duration"
    warning = Problem("/x/config.toml", None, "mood", "unknown key", "warning")
    assert problem_text(warning) == "mood: warning: unknown key"
    (said,) = parse_settings('[reminders]\nevery = "b"\n', "/x/config.toml").problems
    assert problem_text(said) == f"reminders.every: {said.message}"
    assert problem_text(said, "nl").startswith("reminders.every: 'b' is geen duur")


def test_a_problem_beside_its_field_says_which_key_only_when_that_is_not_plain() -> None:
    item = Problem("f", 3, "reminders.snooze[1]", "'x' is not a duration")
    assert note_text(item, "reminders.snooze") == "'x' is not a duration"
    inside = Problem("f", 9, 'routines."tea time".days[0]', "'fun' is not a day")
    assert note_text(inside, 'routines."tea time"') == "Days: 'fun' is not a day"  # named as in the window
    unknown = Problem("f", 9, "routines.tea.colour", "unknown key, ignored", "warning")
    assert note_text(unknown, "routines.tea") == "colour: warning: unknown key, ignored"
    (said,) = parse_settings('[routines.tea]\nat = "08:00"\ncolor = 1\n', "f").problems
    assert note_text(said, "routines.tea", "nl") == (
        "color: let op: onbekende naam, rustlamp slaat hem over; "
        "namen die hier kunnen: at, days, prompt, enabled, kind"
    )
    # the system's own separator: ~\.config\… on Windows
    assert home_short(Path.home() / ".config" / "rustlamp" / "config.toml") == str(
        Path("~/.config/rustlamp/config.toml")
    )
    assert home_short(Path("/etc/rustlamp.toml")) == str(Path("/etc/rustlamp.toml"))


def test_lists_in_a_field() -> None:
    assert comma_list(" 10 min, 30m,,1 uur ") == ["10 min", "30m", "1 uur"]
    assert comma_list("") == []
    assert line_list("Look at the sky.\n\n  Drink water. \n") == ["Look at the sky.", "Drink water."]
    assert DAY_NAMES[0] == "mon"


@pytest.mark.parametrize("raw", ["[1, 2]", "true", "08:00:00"])
def test_a_value_of_the_wrong_type_shows_as_toml_would_write_it(tmp_path: Path, raw: str) -> None:
    form, _, _ = _form(tmp_path, f"[reminders]\nevery = {raw}\n")
    shown = form.value(EVERY).current  # type: ignore[attr-defined]
    assert shown == {"[1, 2]": "[1, 2]", "true": "true", "08:00:00": "08:00"}[raw]
    assert form.setting(EVERY).error and form.changes() == {}
