"""Run the exercises headless, as a trainee would, and fail on the first broken cell.

``python -m scicatlive.training.run NOTEBOOK...`` executes each notebook with nbclient in
its own folder, with the environment it was started with (``SCICAT_URL``,
``SCICAT_USERNAME``, …), and prints what each notebook printed. The exit code is 1 when a
cell raised; its error is shown.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

CELL_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class NotebookRun:
    notebook: str
    output: str  # every stream and plain-text result, in cell order
    error: str | None


def run_notebook(path: Path, *, timeout: int = CELL_TIMEOUT_SECONDS) -> NotebookRun:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    error = None
    try:
        client.execute()
    except CellExecutionError as failure:
        error = str(failure)
    return NotebookRun(path.name, _printed(notebook), error)


def _printed(notebook: object) -> str:
    parts: list[str] = []
    for cell in notebook.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output["text"])
            elif "data" in output and "text/plain" in output["data"]:
                parts.append(output["data"]["text/plain"] + "\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    failed = 0
    for name in argv:
        run = run_notebook(Path(name).resolve())
        print(f"===== {run.notebook}", flush=True)
        print(run.output, end="", flush=True)
        if run.error:
            failed += 1
            print(f"----- {run.notebook} FAILED\n{run.error}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
