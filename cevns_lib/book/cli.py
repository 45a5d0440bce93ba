"""Command line: ``cevns list`` and ``cevns run CHAPTER -p NAME VALUE … --results out.json``."""

import argparse
import sys

from cevns_lib.book import chapters


def _list(args):
    for stem, path in chapters.chapter_files(args.book_dir).items():
        try:
            params = chapters.chapter_parameters(path)
        except ValueError as err:
            print(f"{stem}\n    ({err})")
            continue
        print(stem)
        for p in params.values():
            if p.name == "results_path":
                continue
            allowed = f"  allowed: {', '.join(map(str, p.allowed))}" if p.allowed else ""
            print(f"    {p.name} = {p.default!r}{allowed}")
    return 0


def _run(args):
    params = dict(args.parameter or [])
    results = args.results or f"{args.chapter.removesuffix('.md')}.json"
    out = chapters.run_chapter(args.chapter, params, results, args.notebook, args.book_dir, progress=True)
    print(f"wrote {results} ({len(out.get('values', {}))} values)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="cevns", description="Run the chapters of the CEvNS book.")
    parser.add_argument("--book-dir", default=None, help="book folder (default: the repository's book/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list chapters, their parameters and allowed values")
    run = sub.add_parser("run", help="execute a chapter with papermill")
    run.add_argument("chapter", help="chapter file stem, e.g. 05_weak_mixing_angle")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"))
    run.add_argument("--results", help="JSON results file (default: CHAPTER.json)")
    run.add_argument("--notebook", help="also keep the executed notebook here")
    args = parser.parse_args(argv)
    try:
        return _list(args) if args.command == "list" else _run(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"cevns: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
