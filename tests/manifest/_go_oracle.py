"""The Go oracle (``tests/manifest/go_oracle``): build it, ask it, and the same answer shape
from the Python detector, so that the two can be compared field by field.

Run ``python -m tests.manifest._go_oracle`` (with Go installed) to rewrite the committed
``go_oracle/oracle_answers.tsv``, which keeps the exactness check running where Go is not.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from mstoolkit.errors import InvalidJSON, ManifestConflict, MstoolkitError
from mstoolkit.manifest import detect_media_type, detection_label
from tests.manifest._detect_inputs import BENCH_EDGE_CASES, GO_FACTS, generated_inputs

ORACLE_DIR = Path(__file__).resolve().parent / "go_oracle"
ANSWERS_TSV = ORACLE_DIR / "oracle_answers.tsv"
#: The deterministic inputs kept in the TSV besides the fact table.
ANSWER_SEED, ANSWER_COUNT = 20240227, 1500
#: Longer inputs (the 10000-deep facts) stay out of the TSV; the Go test still asks them.
ANSWER_MAX_BYTES = 1024


@dataclass(frozen=True)
class Answer:
    """What one detector says of one input (the Go program's JSON line, field for field)."""

    label: str
    open: str
    open_err: bool
    kind: str
    offset: int
    closed: str
    closed_err: bool


def go_available() -> bool:
    return shutil.which("go") is not None


def build(workdir: Path) -> Path:
    """Compile the oracle into *workdir* without touching the network or the user's caches."""
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOCACHE": str(workdir / "gocache"),
        "GOPATH": str(workdir / "gopath"),
        "GOPROXY": "off",
        "GO111MODULE": "on",
        "CGO_ENABLED": "0",
    }
    binary = workdir / "go_oracle"
    subprocess.run(["go", "build", "-o", str(binary), "."], cwd=ORACLE_DIR, env=env,
                   check=True, capture_output=True, timeout=300)
    return binary


def ask_go(binary: Path, inputs: list[bytes]) -> list[Answer]:
    feed = "".join(blob.hex() + "\n" for blob in inputs).encode()
    out = subprocess.run([str(binary)], input=feed, check=True, capture_output=True,
                         timeout=300).stdout
    answers = [Answer(**json.loads(line)) for line in out.splitlines()]
    if len(answers) != len(inputs):
        raise RuntimeError(f"oracle answered {len(answers)} of {len(inputs)} inputs")
    return answers


def _outcome(data: bytes, gate: bool) -> tuple[str, bool, str, int]:
    try:
        return detect_media_type(data, allow_schema1=gate), False, "ok", -1
    except InvalidJSON as error:
        return str(error), True, "syntax" if error.offset >= 0 else "type", error.offset
    except ManifestConflict as error:
        kind = "cannot-determine" if str(error) == "media-type: cannot determine" else "conflict"
        return str(error), True, kind, -1
    except MstoolkitError as error:
        return str(error), True, "other", -1


def ask_python(data: bytes) -> Answer:
    opened, open_err, kind, offset = _outcome(data, True)
    closed, closed_err, _, _ = _outcome(data, False)
    return Answer(detection_label(data), opened, open_err, kind, offset, closed, closed_err)


def answer_inputs() -> list[bytes]:
    inputs = [blob for _, blob, _ in GO_FACTS] + [blob for blob, _ in BENCH_EDGE_CASES]
    inputs += [bytes([c]) for c in range(256)]  # Go's quoteChar for every byte value
    inputs += [b'{"a":"' + bytes([c]) + b'"}' for c in range(0x20)]
    inputs += generated_inputs(ANSWER_SEED, ANSWER_COUNT)
    return [blob for blob in inputs if len(blob) <= ANSWER_MAX_BYTES]


_COLUMNS = ["input_hex", "label", "open", "open_err", "kind", "offset", "closed", "closed_err"]


def read_answers() -> list[tuple[bytes, Answer]]:
    """The committed oracle answers. Text columns are JSON strings (they may hold tabs);
    ``closed`` is ``same`` when the gate makes no difference."""
    rows = []
    with ANSWERS_TSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            opened, open_err = json.loads(row["open"]), row["open_err"] == "true"
            if row["closed"] == "same":
                closed, closed_err = opened, open_err
            else:
                closed, closed_err = json.loads(row["closed"]), row["closed_err"] == "true"
            rows.append((bytes.fromhex(row["input_hex"]), Answer(
                label=json.loads(row["label"]), open=opened, open_err=open_err,
                kind=row["kind"], offset=int(row["offset"]), closed=closed,
                closed_err=closed_err)))
    return rows


def write_answers(inputs: list[bytes], answers: list[Answer]) -> None:
    with ANSWERS_TSV.open("w", newline="", encoding="utf-8") as handle:
        handle.write("\t".join(_COLUMNS) + "\n")
        for blob, answer in zip(inputs, answers, strict=True):
            fields = asdict(answer)
            same = (answer.closed, answer.closed_err) == (answer.open, answer.open_err)
            handle.write("\t".join([
                blob.hex(), json.dumps(fields["label"]), json.dumps(fields["open"]),
                str(fields["open_err"]).lower(), fields["kind"], str(fields["offset"]),
                "same" if same else json.dumps(fields["closed"]),
                "same" if same else str(fields["closed_err"]).lower(),
            ]) + "\n")


def main() -> int:
    if not go_available():
        print("go is not installed; cannot regenerate", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="go-oracle-") as tmp:
        inputs = answer_inputs()
        write_answers(inputs, ask_go(build(Path(tmp)), inputs))
    print(f"wrote {ANSWERS_TSV} ({len(inputs)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
