"""Command line: ``python -m cchc_analysis fetch|build|datasets|info|notebooks|site``.

    python -m cchc_analysis fetch [DATASET ...]     download (or copy from $CCHC_MIRROR), verify sha256
    python -m cchc_analysis build [--force] [TABLE ...]
    python -m cchc_analysis datasets                registered datasets with licence and citation
    python -m cchc_analysis info                    the same, plus locations and processed tables
    python -m cchc_analysis notebooks [-j N] [NAME ...]  run the notebooks headless
    python -m cchc_analysis site                    build the static site into reports/site/

Data errors are printed without a traceback and give exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import sys

from cchc_analysis.errors import CchcDataError

__all__ = ["main"]


def _fetch(args: argparse.Namespace) -> int:
    from cchc_analysis import paths, registry
    from cchc_analysis.download import fetch

    names = args.datasets or registry.datasets()
    for name in names:
        registry.files(name)  # unknown names fail before anything is fetched
    for name in names:
        files = fetch(name)
        size = sum(p.stat().st_size for p in files)
        print(f"{name}: {len(files)} files verified in {paths.RAW / name} ({size:,} bytes)")
    return 0


def _build(args: argparse.Namespace) -> int:
    from cchc_analysis import paths
    from cchc_analysis.build import build

    status = build(args.tables or None, force=args.force)
    for name, state in status.items():
        print(f"{name:<24} {state:<8} {paths.PROCESSED / (name + '.parquet')}")
    print(f"data dictionary: {paths.PROCESSED / 'DATA_DICTIONARY.md'}")
    return 0


def _datasets(args: argparse.Namespace) -> int:
    from cchc_analysis import registry

    for name in registry.datasets():
        info = registry.provenance(name)
        size = sum(f["size"] for f in info["files"])
        print(f"{name}: {len(info['files'])} files, {size:,} bytes")
        print(f"  licence:  {info['licence']}")
        print(f"  citation: {info['citation']}")
        if args.verbose:
            for f in info["files"]:
                print(f"    {f['file']:<34} sha256 {f['sha256']}  {f['url']}")
    return 0


def _info(args: argparse.Namespace) -> int:
    from cchc_analysis import paths
    from cchc_analysis.atomic import stale_parts
    from cchc_analysis.build import is_current, table_specs

    _datasets(args)
    print(f"\nraw data:       {paths.RAW}")
    print(f"processed data: {paths.PROCESSED}")
    print(f"mirror:         {paths.MIRROR or '(none: downloads use the network)'}")
    print("\nprocessed tables:")
    for name in table_specs():
        exists = (paths.PROCESSED / f"{name}.parquet").is_file()
        state = "current" if exists and is_current(name) else ("stale" if exists else "not built")
        print(f"  {name:<24} {state}")
    leftovers = stale_parts(paths.RAW) + stale_parts(paths.PROCESSED)
    if leftovers:
        print("\ntemporary files left by an interrupted run (removed by the next fetch/build):")
        for part in leftovers:
            print(f"  {part}")
    return 0


def _notebooks(args: argparse.Namespace) -> int:
    from cchc_analysis.notebooks import NotebookError, run_notebooks

    try:
        run_notebooks(args.names, jobs=args.jobs)
    except NotebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _site(args: argparse.Namespace) -> int:
    from cchc_analysis.site import build_site

    build_site(verbose=args.verbose)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cchc_analysis",
        description="Fetch, build and inspect the cchc-analysis datasets.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("fetch", help="download registered files into data/raw/ and verify them")
    p.add_argument("datasets", nargs="*", metavar="DATASET", help="default: every dataset")
    p.set_defaults(run=_fetch)

    p = sub.add_parser("build", help="write data/processed/ (Parquet tables, data dictionary)")
    p.add_argument("tables", nargs="*", metavar="TABLE", help="default: every table")
    p.add_argument("--force", action="store_true", help="rebuild tables that are current")
    p.set_defaults(run=_build)

    for name, run, text in (
        ("datasets", _datasets, "list registered datasets with licence and citation"),
        ("info", _info, "datasets, data locations and the state of processed tables"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("-v", "--verbose", action="store_true", help="list every file")
        p.set_defaults(run=run)

    p = sub.add_parser("notebooks", help="run the notebooks headless (figures to reports/)")
    p.add_argument("names", nargs="*", metavar="NAME", help="default: every notebook")
    p.add_argument(
        "-j", "--jobs", type=int, default=None, help="notebooks at once (default: cores, at most 2)"
    )
    p.set_defaults(run=_notebooks)

    p = sub.add_parser(
        "site", help="build the static site from the executed notebooks into reports/site/"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="print Sphinx's warnings")
    p.set_defaults(run=_site)
    return parser


def _os_message(exc: OSError) -> str:
    """'cannot write <folder>: <reason>' for an operating-system error, naming the folder rather
    than the hidden temporary file being written (nothing was replaced: writes are atomic)."""
    from pathlib import Path

    reason = exc.strerror or str(exc)
    if not exc.filename:
        return f"{reason} (nothing was replaced: every output is written atomically)"
    where = Path(exc.filename)
    if where.name.startswith(".") and where.name.endswith(".part"):
        where = where.parent
    return f"cannot write {where}: {reason} (nothing was replaced: outputs are written atomically)"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m cchc_analysis`` and the ``cchc-analysis`` script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args.run(args)
    except CchcDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {_os_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
