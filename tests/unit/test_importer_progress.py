import io
import logging

from importer.adapters.terminal import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_redrawn_in_place():
    screen = Terminal()
    progress = TerminalProgress("import demo", 4, screen)
    for _ in range(4):
        progress.advance()
    progress.finish()
    text = screen.getvalue()
    last_drawing = text.split("\r")[-1]
    assert text.count("\r") >= 1
    assert "import demo" in last_drawing
    assert "4/4" in last_drawing
    assert "\n" in last_drawing


def test_a_bar_whose_estimate_was_short_ends_at_the_work_really_done():
    screen = Terminal()
    with TerminalProgress("import demo", 2, screen) as progress:
        for _ in range(3):
            progress.advance()
    assert "3/3" in screen.getvalue().split("\r")[-1]


def test_a_pipe_gets_plain_log_lines_every_ten_percent(caplog):
    caplog.set_level(logging.INFO)
    progress = TerminalProgress("import demo", 100, io.StringIO())
    for _ in range(100):
        progress.advance()
    lines = [r.getMessage() for r in caplog.records if "import demo" in r.getMessage()]
    assert len(lines) == 10
    assert lines[-1] == "import demo: 100/100 (100 %)"
