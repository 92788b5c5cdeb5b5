"""The README's state-machine section is generated from the same declarations as the code."""

import re
from pathlib import Path

from app.core.states import machines, markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_lists_every_machine_as_declared(app):
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- states:begin -->\n(.*?)<!-- states:end -->", text, re.S)
    assert block, "README has no states section"
    expected = markdown([machines()[name] for name in sorted(machines())])
    assert block.group(1) == expected, "run `flask states docs` and paste it into README.md"


def test_every_declared_machine_prints(app):
    runner = app.test_cli_runner()
    for name in machines():
        result = runner.invoke(args=["states", "show", name])
        assert result.exit_code == 0
        assert result.output.startswith(f"{name}: ")
    result = runner.invoke(args=["states", "show", "nothing"])
    assert result.exit_code != 0 and "No state machine named 'nothing'" in result.output
