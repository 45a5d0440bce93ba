"""Command line: ``cevns list``, ``cevns run CHAPTER -p NAME VALUE … --results out.json``,
``cevns sweep CHAPTER -p NAME V1,V2,… … --out DIR [--workers N] [--scheduler ADDRESS]`` and
``cevns data fetch [DATASET …] [--mirror URL]``. Every failure is one line on stderr, status 2."""

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
    params = {}
    for name, value in args.parameter or []:
        if name in params:
            raise ValueError(f"parameter {name} given twice ({params[name]!r} and {value!r}); give it once")
        params[name] = value
    results = args.results or f"{args.chapter.removesuffix('.md')}.json"
    out = chapters.run_chapter(args.chapter, params, results, args.notebook, args.book_dir,
                               progress=sys.stderr.isatty())
    if out.get("data_missing"):
        missing = out["data_missing"]
        raise ValueError(f"chapter {args.chapter} needs the data sets {', '.join(missing)}, not available here "
                         f"(results {'with only the values that need none of them' if out.get('values') else 'without values'} "
                         f"in {results}); run `cevns data fetch {' '.join(missing)}`")
    print(f"wrote {results} ({len(out.get('values', {}))} values)")
    return 0


def _sweep(args):
    from cevns_lib.book import sweep

    grid = sweep.parse_values(args.parameter or [])
    outcomes = sweep.sweep(args.chapter, grid, args.out, workers=args.workers, scheduler=args.scheduler,
                           book_dir=args.book_dir)
    counts = {s: sum(o.status == s for o in outcomes) for s in ("done", "skipped", "failed")}
    print(f"wrote {args.out}/{sweep.SUMMARY}: {len(outcomes)} points ({counts['done']} run, "
          f"{counts['skipped']} finished before, {counts['failed']} failed)")
    if counts["failed"]:
        print(f"cevns: error: {counts['failed']} of {len(outcomes)} points failed (errors in {args.out}/{sweep.SUMMARY}); "
              f"fix them and re-run the same command (finished points are skipped)", file=sys.stderr)
        return 2
    return 0


def _split_parameters(argv):
    """Take ``-p/--parameter NAME VALUE`` out of argv before argparse, so VALUE may start with '-'."""
    rest, pairs = [], []
    it = iter(argv)
    for tok in it:
        if tok in ("-p", "--parameter"):
            pair = [next(it, None), next(it, None)]
            if None in pair:
                raise ValueError(f"{tok} needs two values: NAME VALUE (e.g. -p experiment CCM)")
            pairs.append(tuple(pair))
        else:
            rest.append(tok)
    return rest, pairs


def _data(args):
    from cevns_lib.datafiles import fetch, loader

    if args.data_command == "list":
        for ds, entry in loader.file_registry().items():
            route = entry.get("doi") and f"doi:{entry['doi']}" or entry.get("base_url") or "by hand / --mirror"
            print(f"{ds} ({entry['collection']}, {len(entry['files'])} files; fetch: {route})")
            print(f"    {entry['official_source']}")
        return 0
    fetch.fetch(args.datasets or None, mirror=args.mirror)
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (status 2), as every other failure of the CLI."""

    def error(self, message):
        self.exit(2, f"cevns: error: {message} (see `{self.prog} --help`)\n")


def main(argv=None):
    parser = _Parser(prog="cevns", description="Run the chapters of the CEvNS book.")
    parser.add_argument("--book-dir", default=None, help="book folder (default: the repository's book/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list chapters, their parameters and allowed values")
    run = sub.add_parser("run", help="execute a chapter with papermill")
    run.add_argument("chapter", help="chapter file stem, e.g. 05_weak_mixing_angle")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"))
    run.add_argument("--results", help="JSON results file (default: CHAPTER.json)")
    run.add_argument("--notebook", help="also keep the executed notebook here")
    sw = sub.add_parser("sweep", help="run a chapter on the Cartesian product of parameter values")
    sw.add_argument("chapter", help="chapter file stem, e.g. 05_weak_mixing_angle")
    sw.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "V1,V2,..."))
    sw.add_argument("--out", required=True, help="folder for one results JSON per point and summary.csv")
    sw.add_argument("--workers", type=int, default=2, help="points run at once locally (default 2)")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed cluster (tcp://host:port)")
    data = sub.add_parser("data", help="the COHERENT releases and external limits: list, fetch")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    data_sub.add_parser("list", help="registered data sets and their sources")
    fetch_p = data_sub.add_parser("fetch", help="download data sets into the user cache and verify them")
    fetch_p.add_argument("datasets", nargs="*", metavar="DATASET", help="data sets (default: all registered)")
    fetch_p.add_argument("--mirror", metavar="URL", help="fetch URL/<dataset>/<file> instead of the official sources")
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        argv, pairs = _split_parameters(argv)
    except ValueError as err:
        print(f"cevns: error: {err}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if pairs:
        if args.command not in ("run", "sweep"):
            print("cevns: error: -p/--parameter belongs to `cevns run` and `cevns sweep`", file=sys.stderr)
            return 2
        args.parameter = pairs
    from cevns_lib.datafiles.fetch import FetchError

    commands = {"list": _list, "run": _run, "sweep": _sweep, "data": _data}
    try:
        return commands[args.command](args)
    except (ValueError, FileNotFoundError, FetchError, chapters.ChapterError) as err:
        print(f"cevns: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
