"""Every shell block of README.md runs as printed, in order, in one fresh shell.

A person following the README copies its ```sh / ```bash blocks into a terminal that has
sourced nothing. This test does the same: it cuts the blocks out of README.md, leaves out
those marked `<!-- not-run: why -->` on the line before the fence (an AWS account, a
foreground server; the reasons are listed in the test's output), and runs the rest, in
document order, as one bash script with `set -e`: `make local-up` is one of the blocks,
`. .local/env` another, `make local-down` the last.

The blocks run in this repository (`make local-up` writes `.local/`), so the test refuses
to replace a stack that is already up there. The shell gets this process's environment
(the machine's CA bundle, proxies) minus what the README's commands set themselves: the
virtualenv on PATH, AWS_*, ETLKIT_*, AIRFLOW_*, PG*.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(.+?)\s*-->\s*$")
SHELLS = frozenset({"sh", "bash"})
# Set by the README's own commands (`. .local/env`, `. .venv/bin/activate`), or pointing at
# another stack: a fresh shell has none of them.
SOURCED = re.compile(r"^(AWS_(?!CA_BUNDLE)|ETLKIT_|AIRFLOW|PG|VIRTUAL_ENV|PYTHONPATH|LOCAL_)")


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    code: str
    not_run: str | None  # why it is not run here, from the marker

    def label(self) -> str:
        return f"README.md:{self.line}"


def shell_blocks(text: str) -> list[Block]:
    """The ```sh/```bash blocks, each with the not-run reason on the line before it."""
    lines = text.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        end = next((j for j in range(index + 1, len(lines)) if lines[j].startswith("```")), None)
        if end is None:
            raise AssertionError(f"README.md:{index + 1}: code block never closed")
        if opening.group(1) in SHELLS:
            before = lines[index - 1] if index else ""
            marker = NOT_RUN.match(before)
            blocks.append(
                Block(index + 1, "\n".join(lines[index + 1 : end]), marker and marker.group(1))
            )
        index = end + 1
    return blocks


def script(blocks: list[Block]) -> str:
    """One bash script: each block announced on stderr (so a failure names its block)."""
    parts = ["set -eo pipefail"]
    for block in blocks:
        parts.append(f"echo '>>> {block.label()}' >&2")
        parts.append(block.code)
    return "\n".join(parts) + "\n"


def fresh_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not SOURCED.match(key)}
    keep = [
        entry
        for entry in env.get("PATH", "/usr/bin:/bin").split(os.pathsep)
        if entry
        and not Path(entry).resolve().is_relative_to(REPO)
        and Path(entry).resolve() != Path(sys.executable).parent.resolve()
    ]
    env["PATH"] = os.pathsep.join(keep)
    # The local AWS on any free port: another stack (or helper) may hold 4566.
    env["LOCAL_AWS_PORT"] = "0"
    return env


def test_every_marker_precedes_a_shell_block_and_says_why():
    text = README.read_text()
    lines = text.splitlines()
    blocks = {block.line for block in shell_blocks(text)}
    for number, line in enumerate(lines, 1):
        if "not-run" in line:
            assert NOT_RUN.match(line), f"README.md:{number}: write <!-- not-run: why -->"
            assert number + 1 in blocks, f"README.md:{number}: not-run marker before no sh block"


def test_the_parser_finds_blocks_and_markers():
    text = "intro\n```sh\necho a\n```\n<!-- not-run: needs AWS -->\n```bash\necho b\n```\n"
    text += "```\nnot shell\n```\n```python\nprint()\n```\n"
    assert shell_blocks(text) == [Block(2, "echo a", None), Block(6, "echo b", "needs AWS")]
    assert "echo '>>> README.md:2' >&2\necho a" in script(shell_blocks(text)[:1])


@pytest.mark.slow
def test_readme_shell_blocks_run_as_printed():
    if (REPO / ".local" / "stack.json").exists():
        pytest.skip(
            "a local stack is up in .local/ (make local-up): this test would replace it; "
            "`make local-down` first"
        )
    blocks = shell_blocks(README.read_text())
    skipped = [block for block in blocks if block.not_run]
    run = [block for block in blocks if not block.not_run]
    print("README blocks not run here:")
    for block in skipped:
        print(f"  {block.label()}: {block.not_run}")
    assert any("make local-up" in block.code for block in run)
    try:
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", script(run)],
            cwd=REPO,
            env=fresh_environment(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        subprocess.run(
            [sys.executable, "-m", "infra.local.stack", "down", "--purge"],
            cwd=REPO,
            capture_output=True,
            check=False,
            timeout=300,
        )
    started = re.findall(r"^>>> (README\.md:\d+)$", done.stderr, re.MULTILINE)
    assert done.returncode == 0, (
        f"the block at {started[-1] if started else '?'} failed (exit {done.returncode}):\n"
        + (done.stdout[-3000:] + "\n" + done.stderr[-5000:])
    )
    assert started == [block.label() for block in run]
    # what the blocks claim happened, did: the load's summary, and the DAG run
    assert '"status": "succeeded"' in done.stdout
    assert "reviews_etl_glue" in done.stdout
    # the task logs `airflow dags test` prints carry no deprecation notice per AWS client
    assert "ProvidersManager.hooks is deprecated" not in done.stdout + done.stderr
