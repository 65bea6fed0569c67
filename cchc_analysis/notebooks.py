"""Execute the project's notebooks headless, two at a time, saying which runs and how long it took.

Used by ``python -m cchc_analysis notebooks`` (and so ``make reproduce``) and by the test suite. A
failure names the notebook, the cell number and the error. Executed copies go to
``reports/executed/`` (``make site`` renders them); the notebooks in ``notebooks/`` stay as stored,
without outputs. The test suite runs the kernel with the ``Agg`` backend (no images kept);
reproduction keeps the inline images so the HTML shows every figure. Each run's durations are kept
in ``reports/executed/timings.json`` (the next run starts the longest notebooks first).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from cchc_analysis import paths
from cchc_analysis.atomic import atomic_write

DEFAULT_TIMEOUT = 900
"""Seconds any single cell may run before the notebook is failed."""

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
"""Headless, and keeps each figure as an image in the executed notebook."""


class NotebookError(RuntimeError):
    """A notebook could not be read or one of its cells failed."""


def notebook_paths(names: Iterable[str] = ()) -> list[Path]:
    """The notebooks in ``notebooks/`` in their numbered order, or those whose names contain ``names``."""
    folder = paths.NOTEBOOKS
    if folder is None or not folder.is_dir():
        raise NotebookError(
            "no notebooks/ folder: run this from a source checkout of cchc-analysis"
        )
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    names = list(names)
    if not names:
        return found
    chosen = [p for p in found if any(n in p.name for n in names)]
    unknown = [n for n in names if not any(n in p.name for p in found)]
    if unknown:
        raise NotebookError(
            f"no notebook matches {unknown}; available: {', '.join(p.name for p in found)}"
        )
    return chosen


def _checkout_root() -> Path:
    """The folder holding the ``cchc_analysis`` package this process runs."""
    return paths.PACKAGE_DIR.parent


def _kernel_environment() -> dict[str, str]:
    """``PYTHONPATH`` with this checkout first, so the kernel imports the package being run even
    when the environment's (editable) install points at another clone."""
    before = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(_checkout_root()), before) if p)}


def _kernel_python(kernel_name: str = "python3") -> str:
    """The interpreter the kernel will start (jupyter_client maps a bare "python" to this one)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        exe = KernelSpecManager().get_kernel_spec(kernel_name).argv[0]
    except NoSuchKernel:
        return sys.executable
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    return sys.executable if exe in bare else exe


def kernel_package(kernel_name: str = "python3") -> Path:
    """Where the notebooks' kernel will import ``cchc_analysis`` from (asked of its interpreter).

    >>> kernel_package() == paths.PACKAGE_DIR   # doctest: +SKIP
    True
    """
    code = "import cchc_analysis, pathlib; print(pathlib.Path(cchc_analysis.__file__).parent)"
    env = {**os.environ, **_kernel_environment()}
    try:
        done = subprocess.run(
            [_kernel_python(kernel_name), "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
            cwd=str(paths.NOTEBOOKS or _checkout_root()),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise NotebookError(
            f"the notebook kernel ({_kernel_python(kernel_name)}) cannot import cchc_analysis: "
            f"{detail.strip().splitlines()[-1] if detail.strip() else exc}"
        ) from None
    return Path(done.stdout.strip().splitlines()[-1]).resolve()


def check_kernel_package(kernel_name: str = "python3") -> None:
    """Refuse to run when the kernel would import another checkout's package than this one."""
    found = kernel_package(kernel_name)
    expected = paths.PACKAGE_DIR.resolve()
    if found != expected:
        raise NotebookError(
            f"the notebook kernel would import cchc_analysis from {found}, not from this checkout "
            f"({expected}): its data, figures and code would be another clone's. Install this "
            f"checkout into the environment (pip install -e {expected.parent}) or run the "
            "notebooks from the other clone."
        )


def import_nbformat():
    """``nbformat``, imported without the optional ``rfc3987_syntax`` module.

    ``jsonschema`` (which nbformat validates with) imports that module when it is installed, to
    check the "iri" string format, and the module compiles a grammar as it is imported: 1.3 s in
    every process that reads a notebook (measured here), for a format the notebook schema never
    uses. ``jsonschema`` skips the check when the import fails, so the module is hidden while
    nbformat is first imported, and the process is left as it was.
    """
    hidden = "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules
    if hidden:
        sys.modules["rfc3987_syntax"] = None  # an import of it now raises ImportError
    try:
        import nbformat
    finally:
        if hidden and sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]
    return nbformat


def read_notebook(path: Path):
    """Read and validate a notebook file, raising NotebookError that names the file on failure."""
    nbformat = import_nbformat()

    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for malformed files
        raise NotebookError(
            f"{path}: not a valid Jupyter notebook ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''})"
        ) from exc
    return nb


KERNEL_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Thread limits for the kernel's linear algebra. The models fit many small matrices (a few hundred
rows, dozens of dummies); a multi-threaded BLAS spends its time synchronising threads on them, and
on a busy 2-core machine a fit took 8 times longer with OpenBLAS's default threads than with one."""


def run_notebook(
    path: Path,
    timeout: int = DEFAULT_TIMEOUT,
    save_to: Path | None = None,
    backend: str = "Agg",
):
    """Execute one notebook from its own folder (as nbconvert does) and return the executed notebook.

    ``backend`` is the kernel's ``MPLBACKEND``: ``"Agg"`` for tests, :data:`INLINE_BACKEND` to keep
    the figures in the executed copy. The kernel's BLAS runs single-threaded
    (:data:`KERNEL_THREADS`).
    """
    path = Path(path)
    nb = read_notebook(path)  # first: nbclient imports nbformat too
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # The kernel's start-up chatter (e.g. about its local TCP sockets) is not the notebook's.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    if client.log.getEffectiveLevel() < logging.WARNING:  # drop "Executing notebook with kernel"
        client.log.setLevel(logging.WARNING)
    # The kernel gets its own environment; this process's is left alone (and several notebooks can
    # start their kernels at once from different threads).
    env = {**os.environ, "MPLBACKEND": backend, **_kernel_environment(), **KERNEL_THREADS}
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index, cell = _failed_cell(nb)
        first_line = (cell.source.strip().splitlines() or [""])[0] if cell is not None else ""
        reason = _error_summary(cell) or str(exc).strip().splitlines()[-1]
        raise NotebookError(
            f"{path.name}: cell {index} failed: {reason}\n    cell starts: {first_line[:100]}"
        ) from None
    if save_to is not None:
        atomic_write(save_to, import_nbformat().writes(nb).encode("utf-8"))
    return nb


def default_jobs() -> int:
    """How many notebooks run at once by default: one per core, at most :data:`MAX_JOBS`."""
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


MAX_JOBS = 2
"""Each kernel is single-threaded, so two notebooks at once keep a 2-core machine busy; more would
only compete for the same cores."""


def run_notebooks(
    names: Iterable[str] = (), timeout: int = DEFAULT_TIMEOUT, jobs: int | None = None
) -> dict[str, float]:
    """Run the chosen notebooks, ``jobs`` at a time (default :func:`default_jobs`), printing each
    one's duration; return them (seconds, by notebook file name).

    Each executed notebook is saved to ``reports/executed/`` (``make site`` renders them). The
    notebooks are independent (each reads the processed tables and writes its own figures and
    tables), so they may run side by side; the longest are started first. On a failure no further
    notebook is started, those running finish, and the first failure is raised.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    chosen = notebook_paths(names)
    jobs = default_jobs() if jobs is None else max(1, int(jobs))
    check_kernel_package()
    print(
        f"package: {paths.PACKAGE_DIR} (the kernel imports the same); "
        f"{len(chosen)} notebooks, {jobs} at a time",
        flush=True,
    )
    durations: dict[str, float] = {}
    failures: list[NotebookError] = []
    total = time.perf_counter()

    def run(path: Path) -> tuple[Path, float]:
        start = time.perf_counter()
        execute_notebook(path, timeout=timeout)
        return path, time.perf_counter() - start

    queue = sorted(chosen, key=_expected_seconds, reverse=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running = set()
        while queue or running:
            while queue and len(running) < jobs and not failures:
                path = queue.pop(0)
                print(f"[start] {path.name}", flush=True)
                running.add(pool.submit(run, path))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    path, seconds = future.result()
                except NotebookError as exc:
                    failures.append(exc)
                    continue
                durations[path.name] = seconds
                print(f"[done]  {path.name} in {seconds:.1f} s", flush=True)
    _write_timings(durations)
    if failures:
        raise failures[0]
    print(
        f"{len(chosen)} notebooks in {time.perf_counter() - total:.1f} s "
        f"({sum(durations.values()):.1f} s one after another); figures in {paths.FIGURES}",
        flush=True,
    )
    return {name: durations[name] for name in sorted(durations)}


def execute_notebook(path: Path, timeout: int = DEFAULT_TIMEOUT):
    """Execute one notebook as ``make reproduce`` does and return it: figures kept inline, the
    executed copy saved to ``reports/executed/`` with the fingerprint of its inputs
    (:func:`inputs_fingerprint`) in its metadata."""
    nbformat = import_nbformat()
    path = Path(path)
    fingerprint = inputs_fingerprint(path)  # of the inputs as they were when the run started
    nb = run_notebook(path, timeout=timeout, backend=INLINE_BACKEND)
    nb.metadata[METADATA_KEY] = {"inputs": fingerprint}
    atomic_write(paths.REPORTS / "executed" / path.name, nbformat.writes(nb).encode("utf-8"))
    return nb


METADATA_KEY = "cchc_analysis"
"""The executed copy's metadata entry holding the fingerprint of what it was made from."""


def inputs_fingerprint(path: Path) -> str:
    """sha256 over everything an executed copy of ``path`` depends on: the notebook, the package
    (code and reference tables), the raw data (downloads and curated facts), the processed tables'
    manifest, the figure formats asked for, and the versions of Python and the main libraries.

    Deliberately coarse, like the store's fingerprint: any change to the package re-executes.
    """
    import hashlib
    import platform
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode("utf-8") + b"\0" + data + b"\0")

    add("notebook", Path(path).read_bytes())
    for root in (paths.PACKAGE_DIR, paths.RAW):
        for file in sorted(Path(root).rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and not file.name.startswith("."):
                add(file.relative_to(root).as_posix(), file.read_bytes())
    manifest = paths.PROCESSED / "manifest.json"
    add("manifest", manifest.read_bytes() if manifest.is_file() else b"")
    add("formats", os.environ.get("CCHC_FIGURE_FORMATS", "").encode("utf-8"))
    for lib in ("numpy", "pandas", "scipy", "matplotlib", "seaborn", "statsmodels"):
        try:
            add(lib, version(lib).encode())
        except PackageNotFoundError:
            add(lib, b"")
    add("python", platform.python_version().encode())
    return digest.hexdigest()


def current_copy(path: Path):
    """The executed copy of ``path`` if it was made from the inputs there are now (same
    :func:`inputs_fingerprint`) and holds no error output; else ``None``.

    Lets the test suite check the notebooks ``make reproduce`` has just executed instead of
    executing them again; any change to the notebook, the package or the data makes it stale.
    """
    copy = paths.REPORTS / "executed" / Path(path).name
    if not copy.is_file():
        return None
    try:
        nb = read_notebook(copy)
    except NotebookError:
        return None
    recorded = nb.metadata.get(METADATA_KEY, {}).get("inputs")
    if recorded != inputs_fingerprint(path) or error_outputs(nb):
        return None
    return nb


def error_outputs(nb) -> list:
    """The error outputs of an executed notebook (an empty list when every cell ran cleanly)."""
    return [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


TIMINGS = "timings.json"
"""Written beside the executed copies: each notebook's last duration in seconds."""

EXPECTED_SECONDS = "expected_seconds.json"
"""Kept beside the notebooks (committed): their durations on the reference 2-core machine, which
order the first run of a fresh clone, before it has timings of its own."""


def _expected_seconds(path: Path) -> float:
    """How long the notebook took last time (``reports/executed/timings.json``), else its expected
    time (``notebooks/expected_seconds.json``), else 0."""
    for found in (_read_timings(), _read_seconds(path.parent / EXPECTED_SECONDS)):
        if path.name in found:
            return found[path.name]
    return 0.0


def _read_timings() -> dict[str, float]:
    return _read_seconds(paths.REPORTS / "executed" / TIMINGS)


def _read_seconds(file: Path) -> dict[str, float]:
    import json

    try:
        found = json.loads(file.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in found.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _write_timings(durations: dict[str, float]) -> None:
    import json

    merged = {**_read_timings(), **{k: round(v, 1) for k, v in durations.items()}}
    text = json.dumps(dict(sorted(merged.items())), indent=1) + "\n"
    atomic_write(paths.REPORTS / "executed" / TIMINGS, text.encode("utf-8"))


def _failed_cell(nb):
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for number, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return number, cell
    # A timeout or dead kernel leaves no error output: blame the last cell that started.
    started = [c for c in code_cells if c.get("execution_count")]
    if started:
        return nb.cells.index(started[-1]), started[-1]
    return "?", None


def _error_summary(cell) -> str:
    if cell is None:
        return ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return ""
