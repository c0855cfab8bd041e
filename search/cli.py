"""The ``izde`` command: a thin shell over the library (parse options, call, print)."""

import json
import os
import sys
from pathlib import Path

import click

from analyzers.detect import LANGUAGES
from search.errors import IzdeError
from search.evaluation import REWRITES

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "seeds"


class _Izde(click.Group):
    """Turns library errors into one line on stderr and a meaningful exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IzdeError as error:
            click.echo(f"izde: error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("izde: interrupted; the index keeps its last committed state", err=True)
            sys.exit(130)


index_option = click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True,
                            type=click.Path(file_okay=False), help="Index folder.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


@click.group(cls=_Izde, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Izde: search Kazakh, Russian and English text, paragraph by paragraph."""


def _display_path(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _run_update(index, paths, rebuild=False, max_bytes=None, quiet=False, wait=0.0, procs=1,
                follow=False):
    """Update with a progress bar on a terminal; warnings for skipped files on stderr."""
    from search.ingest.reading import DEFAULT_MAX_BYTES

    show_bar = not quiet and sys.stderr.isatty()
    bar = None

    def progress(done, total, path):
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        report = index.update(paths, progress=progress, rebuild=rebuild,
                              max_bytes=max_bytes or DEFAULT_MAX_BYTES, wait=wait, procs=procs,
                              follow=follow)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    for path, reason in report.skipped + report.warnings:
        click.echo(f"izde: warning: {_display_path(path)}: {reason}", err=True)
    return report


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Start from an empty index.")
@click.option("--max-size", "max_mb", type=float, default=None,
              help="Skip files larger than this many MB (default 50).")
@click.option("--wait", type=float, default=0.0,
              help="Seconds to wait for another process's update to finish.")
@click.option("--procs", type=click.IntRange(1), default=1, show_default=True,
              help="Analyze in this many processes, each writing its own index segment.")
@click.option("--follow", "-L", is_flag=True,
              help="Follow symbolic links to files and folders outside PATHS.")
@json_option
def index_command(paths, index_dir, rebuild, max_mb, wait, procs, follow, as_json):
    """Index new and changed files under PATHS (default: seeds/); drop deleted ones.

    --procs 2 or more pays off only on idle cores and large updates: every
    process adds a segment, and queries are slower until later updates merge them.
    """
    from search import Index

    with Index(index_dir) as index:
        report = _run_update(index, paths or [DEFAULT_CORPUS], rebuild=rebuild,
                             max_bytes=int(max_mb * 1024 * 1024) if max_mb else None,
                             quiet=as_json, wait=wait, procs=procs, follow=follow)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary())


@main.command("watch")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--debounce", type=float, default=1.0, show_default=True,
              help="Seconds of quiet before a burst of changes is indexed.")
@click.option("--max-size", "max_mb", type=float, default=None,
              help="Skip files larger than this many MB (default 50).")
@click.option("--wait", type=float, default=30.0, show_default=True,
              help="Seconds to wait for another process's update before skipping a round.")
def watch_command(paths, index_dir, debounce, max_mb, wait):
    """Keep the index current as files under PATHS appear, change or disappear.

    PATHS default to the folders indexed before (or seeds/). Prints one line per
    round of indexing, `HH:MM:SS +added ~changed -removed`, until Ctrl-C.
    """
    import time

    from search import Index
    from search.ingest.reading import DEFAULT_MAX_BYTES
    from search.ingest.watch import Watcher

    def on_batch(batch):
        for path, reason in batch.new_skips:
            click.echo(f"izde: warning: {_display_path(path)}: {reason}", err=True)
        click.echo(f"{time.strftime('%H:%M:%S')} {batch.line()}")

    def on_error(error):
        click.echo(f"izde: warning: {error}", err=True)

    with Index(index_dir) as index:
        roots = list(paths) or index.indexed_roots() or [DEFAULT_CORPUS]
        watcher = Watcher(index, roots, debounce=debounce, wait=wait,
                          max_bytes=int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES,
                          on_batch=on_batch, on_error=on_error)
        shown = ", ".join(map(str, roots))
        click.echo(f"watching {shown} (index {index_dir}); Ctrl-C to stop", err=True)
        try:
            watcher.run()
        except KeyboardInterrupt:
            click.echo("stopped watching; every change seen so far is indexed", err=True)


@main.command("check")
@index_option
@click.option("--deep", is_flag=True,
              help="Also read every segment file and compare it with its checksum.")
@json_option
def check_command(index_dir, deep, as_json):
    """Compare the index with its manifest and the files on disk; exit 1 on drift."""
    from search import Index

    with Index(index_dir) as index:
        report = index.check(deep=deep)
    if as_json:
        click.echo(json.dumps({"index": index_dir, **report.as_dict()}, ensure_ascii=False,
                              indent=2))
    else:
        if report.unfinished_update:
            click.echo("unfinished update: its commit landed, its manifest did not")
        for name in report.PROBLEMS:
            items = getattr(report, name)
            if items:
                click.echo(f"{name.replace('_', ' ')}: {len(items):,}")
            for item in items:
                if isinstance(item, str):
                    click.echo(f"  {_display_path(item)}")
                else:
                    click.echo(f"  {_display_path(item.path)}: {item.manifest} paragraphs in the "
                               f"manifest, {item.index} in the index")
        click.echo(report.summary())
    if not report.healthy:
        sys.exit(1)


@main.command("search")
@click.argument("query")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 10_000),
              help="How many paragraphs to show.")
@click.option("--lang", type=click.Choice((*LANGUAGES, "other")),
              help="Only paragraphs in this language (other: none of kk, ru, en).")
@json_option
def search_command(query, index_dir, limit, lang, as_json):
    """Search the index for QUERY; builds the index from seeds/ on first use.

    \b
    Syntax: words (OR-ed, more matches rank higher), "a phrase", AND, OR, NOT,
    -exclude, +require, typo~, lang:kk|ru|en, file:NAME (or a glob, file:003*).
    """
    from search import Index

    with Index(index_dir) as index:
        index.parse(query)  # a malformed query fails before any indexing starts
        if not index.exists and index_dir == DEFAULT_INDEX:
            if not Path(DEFAULT_CORPUS).is_dir():
                raise IzdeError(f"no index at {index_dir}/ and no {DEFAULT_CORPUS}/ folder to "
                                f"build it from; run `izde index PATHS` first")
            if not as_json:
                click.echo(f"building the index from {DEFAULT_CORPUS}/ (first use) …", err=True)
            _run_update(index, [DEFAULT_CORPUS], quiet=as_json)
        elif index.is_stale:
            if not as_json:
                click.echo("rebuilding the index: it was built by another version of Izde …",
                           err=True)
            _run_update(index, [], quiet=as_json)  # re-reads the files it already held
        hits = index.search(query, limit=limit, lang=lang)
    if as_json:
        from search.hits import search_response

        click.echo(json.dumps(search_response(query, hits), ensure_ascii=False, indent=2))
    else:
        # On stderr, like every note: stdout stays one `path:paragraph` line per hit.
        for line in _search_notes(query, hits):
            click.echo(line, err=True)
        for hit in hits:
            location = click.style(f"{_display_path(hit.path)}:{hit.paragraph}", fg="magenta")
            meta = click.style(f"[{hit.lang}] {hit.score:.2f}", fg="green")
            click.echo(f"{location} {meta}")
            snippet = hit.highlighted.render(before="\x1b[1;31m", after="\x1b[0m") \
                if _colour() else hit.snippet
            click.echo(f"    {snippet}")
        if not hits:
            click.echo("no matching paragraphs", err=True)
    if not hits:
        sys.exit(1)


def _search_notes(query, hits) -> list[str]:
    """What was searched when it is not just the query as typed, so users can trust it."""
    notes = []
    if hits.did_you_mean:
        notes.append(f"did you mean: {hits.did_you_mean}")
    others = [text for text in hits.searched_for if text != query]
    if others:
        notes.append(f"searched for: {' | '.join(hits.searched_for)}")
    return notes


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@main.command("stats")
@index_option
@json_option
def stats_command(index_dir, as_json):
    """Files, paragraphs per language and size of the index."""
    from search import Index

    with Index(index_dir) as index:
        stats = index.stats()
    if as_json:
        click.echo(json.dumps({"index": index_dir, **stats.as_dict()}, indent=2))
        return
    languages = ", ".join(f"{lang} {count:,}" for lang, count in stats.languages.items())
    click.echo(f"index: {index_dir}")
    click.echo(f"files: {stats.files:,}")
    click.echo(f"paragraphs: {stats.paragraphs:,} ({languages})")
    click.echo(f"size: {stats.size_bytes / 1024 / 1024:.1f} MB")


@main.command("serve")
@index_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--watch", "watch_paths", multiple=True, type=click.Path(exists=True),
              help="Also keep the index current with this folder (repeatable).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes; each searches in threads.")
@click.option("--token", envvar="IZDE_TOKEN", default=None,
              help="Require `Authorization: Bearer TOKEN` on the API (or set IZDE_TOKEN); "
                   "enables POST /api/update.")
@click.option("--access-log", is_flag=True, help="Log every request.")
def serve_command(index_dir, host, port, watch_paths, workers, token, access_log):
    """Serve the index over HTTP: a search page at / and a JSON API under /api/.

    \b
    GET /api/search?q=...&limit=10&offset=0&lang=kk|ru|en
    GET /api/suggest?q=prefix   GET /api/paragraph?path=...&paragraph=N&context=2
    GET /api/health             POST /api/update (with --token)
    """
    try:
        from search.service.app import ServiceConfig
        from search.service.server import is_loopback, serve
    except ImportError as error:
        raise click.ClickException(f"{error.name} is missing; install the serve extra: "
                                   f"pip install 'izde[serve]'") from None
    if not is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} is reachable from other machines: "
                               f"pass --token (or set IZDE_TOKEN)")
    from search import Index

    if not Index(index_dir).exists:
        click.echo(f"izde: warning: no index at {index_dir} yet; the API answers 503 until "
                   f"`izde index --index {index_dir}` builds it", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"serving {index_dir} at http://{shown}:{port}/ (Ctrl-C to stop)", err=True)
    serve(ServiceConfig(index=index_dir, token=token, roots=tuple(watch_paths)), host=host,
          port=port, workers=workers, watch=tuple(watch_paths), access_log=access_log)


@main.group("eval")
def eval_group():
    """Measure analyzers and ranking."""


@eval_group.command("lemmas")
@click.argument("conllu", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), required=True, help="Analyzer to measure.")
@click.option("--errors", "show_errors", type=int, default=0, help="Also list N error examples.")
@click.option("--compare-stock", is_flag=True,
              help="Also time Whoosh's stock analyzer for the language on the same text.")
@click.option("--folds", type=click.IntRange(min=2), default=None,
              help="Cross-validate: learn on all folds but one, score it, k times.")
@click.option("--raw-text", type=click.Path(exists=True, dir_okay=False), default=None,
              help="With --folds and kk: build each fold's stem lexicon from this corpus's "
                   "Kazakh paragraphs (.jsonl.gz) plus the training folds' text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_lemmas(conllu, lang, show_errors, compare_stock, folds, raw_text, as_json):
    """Conflation precision/recall/F1 and throughput of an analyzer on a CoNLL-U treebank."""
    from search.evaluation import lemmas as lemma_eval

    if folds:
        from search.evaluation import lemma_folds
        report = lemma_folds.fold_report(conllu, lang, folds, raw_text, show_errors)
        click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json
                   else "\n".join(lemma_folds.report_lines(report)))
        return
    pairs, sentences = lemma_eval.read_conllu(conllu)
    from analyzers import analyzer_for

    analyzer = analyzer_for(lang)
    terms_of = lemma_eval.analyzer_terms(analyzer)
    report = lemma_eval.conflation_scores(pairs, terms_of).as_dict()
    report.update(lemma_eval.throughput(analyzer, sentences))
    if compare_stock:
        report.update(lemma_eval.compare_stock(analyzer, lang, sentences))
    if show_errors:
        report["errors"] = lemma_eval.conflation_errors(pairs, terms_of, limit=show_errors)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"{conllu} ({lang}): {report['forms']:,} forms")
    click.echo(f"conflation precision {report['precision']:.3f}  recall {report['recall']:.3f}"
               f"  F1 {report['f1']:.3f}")
    click.echo(f"throughput: {report['cold_words_per_s']:,} words/s cold, "
               f"{report['warm_words_per_s']:,} words/s warm ({report['words']:,} words)")
    if compare_stock:
        click.echo(f"vs stock Whoosh analyzer, passes interleaved: ours "
                   f"{report['interleaved_warm_words_per_s']:,} words/s warm, stock "
                   f"{report['stock_warm_words_per_s']:,} words/s warm; "
                   f"ours/stock {report['warm_ratio_to_stock']:.2f}")
    for kind, examples in report.get("errors", {}).items():
        click.echo(f"{kind.replace('_', ' ')}:")
        for e in examples:
            click.echo(f"  {e['forms'][0]} {e['terms'][0]} / {e['forms'][1]} {e['terms'][1]}"
                       f"  gold {e['gold'][0]} / {e['gold'][1]}")


@eval_group.command("retrieval")
@click.option("--corpus", type=click.Path(exists=True, dir_okay=False), required=True,
              help="Paragraphs, JSON lines {id, title, text} (.jsonl or .jsonl.gz).")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False), required=True,
              help="Queries, JSON lines {id, lang, text}; lang only groups the report.")
@click.option("--qrels", type=click.Path(exists=True, dir_okay=False), required=True,
              help="Judgments: query-id TAB doc-id TAB relevance.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Keep the built index here, keyed by corpus hash and schema version.")
@click.option("--no-snippets", "ranking_only", is_flag=True,
              help="Skip timing the full search path (hits with snippets).")
@click.option("--rewrite", "rewrites", type=click.Choice(list(REWRITES)), multiple=True,
              help="Type the queries as people do first: Kazakh without its letters "
                   "(folded, or with і as ы: folded-y), in Latin, with one typo per "
                   "query (typo1) or a typo in every word of 5+ letters (typo). "
                   "Repeat to compare several in one run (one report each). "
                   "[default: exact]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_retrieval(corpus, queries, qrels, cache_dir, ranking_only, rewrites, as_json):
    """nDCG@10, MRR@10, Recall@10/@100 and latency on judged queries, per language."""
    from search.evaluation import retrieval as retrieval_eval

    bar, stage_shown = None, None

    def progress(stage, done, total):
        nonlocal bar, stage_shown
        if not sys.stderr.isatty():
            return
        if stage != stage_shown:
            if bar is not None:
                bar.__exit__(None, None, None)
            bar = click.progressbar(length=total, label=stage, file=sys.stderr)
            bar.__enter__()
            stage_shown = stage
        bar.update(1)

    reports = {}
    try:
        for rewrite in rewrites or ("exact",):
            stage_shown = None  # a fresh progress bar per rewrite
            reports[rewrite] = retrieval_eval.evaluate(
                corpus, queries, qrels, cache_dir=cache_dir, progress=progress,
                full_path=not ranking_only, rewrite=rewrite)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        as_dicts = {rewrite: report.as_dict() for rewrite, report in reports.items()}
        # One rewrite prints its report as before; several, one report per rewrite.
        shown = next(iter(as_dicts.values())) if len(as_dicts) == 1 else as_dicts
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for rewrite, report in reports.items():
        if len(reports) > 1:
            click.echo(f"--rewrite {rewrite}")
        click.echo(f"{report.paragraphs:,} paragraphs indexed in {report.index_seconds:.1f} s; "
                   f"{report.skipped_queries:,} queries without judgments skipped")
        click.echo(report.table())


@main.group("bench")
def bench_group():
    """Measure indexing and search speed at scale, against Whoosh and tantivy."""


@bench_group.command("make-corpus")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--paragraphs", "-n", type=click.IntRange(1), required=True,
              help="How many paragraphs to write (10000, 100000, 1000000 ...).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Corpus folder.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@json_option
def bench_make_corpus(sources, paragraphs, out, seed, as_json):
    """Write a corpus of ru/kk/en text files recombined from SOURCES.

    SOURCES are .jsonl/.jsonl.gz files with a text field, .conllu treebanks
    (their sentence texts) or plain .txt/.md files.
    """
    from search.bench.corpus import make_corpus

    with _progress_bar(paragraphs, "writing", quiet=as_json) as progress:
        report = make_corpus(sources, paragraphs, out, seed=seed, progress=progress)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary())


@bench_group.command("run")
@click.argument("corpus", type=click.Path(exists=True, file_okay=False))
@click.option("--queries", type=click.IntRange(1), default=200, show_default=True,
              help="How many queries in the fixed query set.")
@click.option("--index-dir", type=click.Path(file_okay=False),
              help="Keep the indexes here (default: a temporary folder, removed after).")
@click.option("--engine", "engines", multiple=True, type=click.Choice(["izde", "whoosh", "tantivy"]),
              help="Only these engines (repeatable; default all three).")
@click.option("--procs", type=click.IntRange(1), default=None,
              help="Processes for Izde's indexing (default: all cores).")
@click.option("--limitmb", type=click.IntRange(16), default=128, show_default=True,
              help="Memory budget of each Izde index writer, in MB.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the query set.")
@json_option
def bench_run(corpus, queries, index_dir, engines, procs, limitmb, seed, as_json):
    """Index CORPUS with Izde, stock Whoosh and tantivy; time queries and a 1% update."""
    from search.bench import run as bench

    def progress(engine):
        if not as_json and sys.stderr.isatty():
            click.echo(f"benchmarking {engine} …", err=True)

    result = bench.run_benchmark(corpus, queries=queries, index_dir=index_dir,
                                 engines=engines or bench.ENGINES, procs=procs,
                                 limitmb=limitmb, seed=seed, progress=progress)
    click.echo(bench.as_json(result) if as_json else bench.format_table(result))


@bench_group.command("serve")
@click.option("--url", default="http://127.0.0.1:8080", show_default=True,
              help="A running `izde serve` on this machine.")
@click.option("--clients", type=click.IntRange(1, 256), default=16, show_default=True)
@click.option("--seconds", type=click.FloatRange(1, 3600), default=30.0, show_default=True)
@click.option("--warmup", type=click.FloatRange(0, 600), default=5.0, show_default=True,
              help="Seconds of load first, not counted (RSS 'before' is taken after it).")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False),
              help="Draw the queries from this corpus as `bench run` does (default: seed queries).")
@click.option("--queries", "query_count", type=click.IntRange(1), default=300, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the query set.")
@click.option("--overhead-index", type=click.Path(exists=True, file_okay=False),
              help="Also time the queries one at a time over HTTP and through Index.search "
                   "on this index (the one served) in this process.")
@click.option("--token", envvar="IZDE_TOKEN", default=None, help="The server's --token.")
@json_option
def bench_serve(url, clients, seconds, warmup, corpus, query_count, seed, overhead_index, token,
                as_json):
    """Load a local `izde serve`: queries/s, p50/p95/p99, errors, server RSS before and after."""
    from search.service import load

    if corpus:
        from search.bench.run import make_queries
        from search.ingest.indexer import discover_files

        queries = [spec.izde() for spec in make_queries(discover_files([corpus])[0],
                                                        query_count, seed=seed)]
    else:
        queries = list(load.SEED_QUERIES)
    report = {}
    if overhead_index:
        report["overhead"] = load.http_overhead(url, overhead_index, queries, token=token)
    report["load"] = load.run_load(url, queries, clients=clients, seconds=seconds,
                                   warmup=warmup, token=token)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json
               else load.format_report(report))
    if report["load"]["errors"]:
        sys.exit(1)


class _progress_bar:
    """A click progress bar on a terminal; a no-op callback when piped or quiet."""

    def __init__(self, total, label, quiet=False):
        self.total, self.label = total, label
        self.show = not quiet and sys.stderr.isatty()
        self.bar = None
        self.done = 0

    def __enter__(self):
        if self.show:
            self.bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        return self.update

    def update(self, done, total):
        if self.bar is not None:
            self.bar.update(done - self.done)
        self.done = done

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


if __name__ == "__main__":
    sys.exit(main())
