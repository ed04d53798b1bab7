import io
import logging

from services.renderer.progress import Progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_redrawn_in_place():
    screen = Terminal()
    progress = Progress("import demo", 4, screen)
    for _ in range(4):
        progress.advance()
    progress.finish()
    text = screen.getvalue()
    assert text.count("\r") == 4
    assert "[" + "#" * 30 + "] 4/4" in text
    assert text.endswith("\n")


def test_a_pipe_gets_plain_log_lines_every_ten_percent(caplog):
    caplog.set_level(logging.INFO)
    progress = Progress("import demo", 100, io.StringIO())
    for _ in range(100):
        progress.advance()
    lines = [r.getMessage() for r in caplog.records if "import demo" in r.getMessage()]
    assert len(lines) == 10
    assert lines[-1] == "import demo: 100/100 (100 %)"
