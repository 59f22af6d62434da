"""Qt's own words in a window (a text field's right-click menu, standard buttons) speak the window's
language: read in a real window process, started as rustlamp starts one (window_main), on Qt's offscreen
platform."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rustlamp

WINDOW = """
import json, sys
from types import SimpleNamespace
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from rustlamp.ui.qt_common import window_main

def run(options, raise_fd):
    edit = QLineEdit()
    menu = [action.text().split("\\t")[0] for action in edit.createStandardContextMenu().actions()]
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    print(json.dumps({"menu": menu, "cancel": box.buttons()[0].text()}))
    return 0

sys.exit(window_main("words", lambda: SimpleNamespace(language=sys.argv[1]), run))
"""


def qt_words(language: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", WINDOW, language],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("language", "undo", "paste", "cancel"),
    [
        ("en", "&Undo", "&Paste", "Cancel"),
        ("nl", "&Ongedaan maken", "P&lakken", "Annuleren"),
        ("de", "&Rückgängig", "Einf&ügen", "Abbrechen"),
    ],
)
def test_a_text_fields_menu_and_standard_buttons_speak_the_windows_language(
    language: str, undo: str, paste: str, cancel: str
) -> None:
    words = qt_words(language)
    assert undo in words["menu"] and paste in words["menu"], words  # type: ignore[operator]
    assert words["cancel"] == cancel


def test_qt_has_its_words_in_every_language_rustlamp_speaks() -> None:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    spoken = [po.stem for po in (Path(rustlamp.__file__).parent / "locale").glob("*.po")]
    assert (
        spoken and [language for language in spoken if not (folder / f"qtbase_{language}.qm").is_file()] == []
    )
