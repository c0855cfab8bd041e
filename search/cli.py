"""The ``izde`` command: a thin shell over the library (parse options, call, print)."""

import gc
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


EXIT_CODES = """\b
Exit codes: 0 found or done, 1 no match (search) or drift (check),
2 bad query, path or option, 3 missing or damaged index, 4 index being
updated by another process, 130 interrupted."""


class _Izde(click.Group):
    """Turns library errors into one line on stderr and a meaningful exit code.

    With --json or --jsonl anywhere on the command line, errors (usage errors
    too) are one JSON object on stderr, ``{"error": ..., "exit": N}``.
    """

    json_errors = False

    def main(self, args=None, *rest, **options):
        argv = list(sys.argv[1:] if args is None else args)
        options_part = argv[:argv.index("--")] if "--" in argv else argv
        self.json_errors = bool({"--json", "--jsonl"} & set(options_part))
        return super().main(args, *rest, **options)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IzdeError as error:
            self._fail(str(error), error.exit_code)
        except click.exceptions.Exit:
            raise
        except click.ClickException as error:
            if not self.json_errors:
                raise
            self._fail(error.format_message(), error.exit_code)
        except KeyboardInterrupt:
            self._fail("interrupted; the index keeps its last committed state", 130)

    def _fail(self, message: str, code: int):
        if self.json_errors:
            click.echo(json.dumps({"error": message, "exit": code}, ensure_ascii=False), err=True)
        else:
            click.echo(f"izde: error: {message}", err=True)
        sys.exit(code)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("izde")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(ctx, _param, value) -> None:
    # Read when asked: importlib.metadata costs every other command ~15 ms to import.
    if value and not ctx.resilient_parsing:
        click.echo(f"izde {_version()}")
        ctx.exit()


COLOR_CHOICES = ("auto", "always", "never")


def _remember_color(ctx, _param, value):
    if value is not None:
        ctx.find_root().meta["izde.color"] = value
    return value


# ripgrep's rules: auto colours a terminal unless NO_COLOR is set (and not empty) or
# TERM is dumb; always colours even a pipe; never never does.
color_option = click.option(
    "--color", type=click.Choice(COLOR_CHOICES), default=None, expose_value=False,
    is_eager=True, callback=_remember_color,
    help="Colour the output: auto (a terminal, unless NO_COLOR is set), always, never.")
index_option = click.option("--index", "index_dir", default=DEFAULT_INDEX, show_default=True,
                            type=click.Path(file_okay=False), help="Index folder.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
cluster_option = click.option("--cluster", default=None, metavar="tcp://HOST:PORT",
                              help="A Dask scheduler: build or search the shards on its workers.")


@click.group(cls=_Izde, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=EXIT_CODES)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and exit.")
@color_option
def main():
    """Izde: search Kazakh, Russian and English text, paragraph by paragraph."""


def _display_path(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _open_index(index_dir, cluster=None, sharded=False, semantic=None):
    """The index in ``index_dir``: sharded when it is, when ``sharded`` asks for a new one,
    or when searched on a ``cluster``."""
    from search import Index

    if sharded or cluster:
        from search.cluster.sharded_index import ShardedIndex

        return ShardedIndex(index_dir, cluster=cluster)
    return Index(index_dir, semantic=semantic)


def _run_update(index, paths, rebuild=False, max_bytes=None, quiet=False, wait=0.0, procs=1,
                **extra):
    """Update with a progress bar on a terminal; warnings for skipped files on stderr."""
    from search.ingest.reading import DEFAULT_MAX_BYTES

    show_bar = not quiet and sys.stderr.isatty()
    bar, stage = None, None

    def progress(done, total, path):
        nonlocal bar, stage
        if not show_bar:
            return
        # Embedding (semantic indexes) reports its own stage: a fresh bar, with an ETA.
        now = "embedding" if path == "embedding" else "indexing"
        if bar is None or now != stage:
            if bar is not None:
                bar.__exit__(None, None, None)
            bar = click.progressbar(length=total, label=now, file=sys.stderr, show_eta=True)
            bar.__enter__()
            stage = now
        bar.update(done - bar.pos)

    try:
        report = index.update(paths, progress=progress, rebuild=rebuild,
                              max_bytes=max_bytes or DEFAULT_MAX_BYTES, wait=wait, procs=procs,
                              **extra)
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
@click.option("--procs", type=click.IntRange(1), default=None,
              help="Analyze in this many processes, each writing its own index segment "
                   "[default: 1; a sharded index: the local cluster's workers, all cores].")
@click.option("--glob", "-g", "globs", multiple=True, metavar="GLOB",
              help="Only files matching GLOB; !GLOB leaves matches out (repeatable; "
                   "remembered for later runs).")
@click.option("--follow", "-L", is_flag=True,
              help="Follow symbolic links to files and folders outside PATHS.")
@click.option("--semantic/--no-semantic", default=None,
              help="Keep a paragraph embedding beside each paragraph for hybrid ranking "
                   "(needs izde[semantic]), or drop them; later updates keep the setting.")
@click.option("--shards", type=click.IntRange(1, 1024), default=None,
              help="Build a sharded index of N shards (one Dask task per changed shard).")
@cluster_option
@json_option
def index_command(paths, index_dir, rebuild, max_mb, wait, procs, globs, follow, semantic,
                  shards, cluster, as_json):
    """Index new and changed files under PATHS; drop deleted ones.

    PATHS default to the folders and files indexed before (seeds/ for a new
    index). Hidden files and what .gitignore, .ignore and .izdeignore exclude
    are skipped. --procs 2 or more pays off only on idle cores and large
    updates: every process adds a segment, and queries are slower until later
    updates merge them. With --shards (or into a sharded index) the shards with
    changes are built as Dask tasks on --cluster, or on a local cluster of
    --procs processes.
    """
    index = _open_index(index_dir, cluster, sharded=shards is not None, semantic=semantic)
    with index:
        extra = {}
        if shards is not None or cluster or getattr(index, "manifest", None) is not None:
            if globs or semantic or follow:
                raise click.UsageError("--glob, --follow and --semantic are not available for "
                                       "a sharded index yet")
            extra = {"shards": shards}
            procs = procs or os.cpu_count() or 1
        else:
            extra = {"globs": list(globs) if globs else None, "follow": follow}
        roots = list(paths) or index.indexed_roots() or [DEFAULT_CORPUS]
        report = _run_update(index, roots, rebuild=rebuild,
                             max_bytes=int(max_mb * 1024 * 1024) if max_mb else None,
                             quiet=as_json, wait=wait, procs=procs or 1, **extra)
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
@click.option("--no-semantic", "lexical", is_flag=True,
              help="Rank by words alone on an index that keeps embeddings.")
@cluster_option
@json_option
@click.option("--jsonl", "as_jsonl", is_flag=True,
              help="Print one JSON object per hit, a line each (for jq and streaming).")
@color_option
def search_command(query, index_dir, limit, lang, lexical, cluster, as_json, as_jsonl):
    """Search the index for QUERY; builds the index from seeds/ on first use.

    \b
    Syntax: words (OR-ed, more matches rank higher), "a phrase", AND, OR, NOT,
    -exclude, +require, typo~, lang:kk|ru|en, file:NAME (or a glob, file:003*).
    Prints `path:line:` (the line the paragraph starts on), its language and
    score, then the snippet; exits 1 when nothing matched.
    """
    from search.errors import IndexNotFoundError

    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl exclude each other")
    quiet = as_json or as_jsonl
    with _open_index(index_dir, cluster) as index:
        index.parse(query)  # a malformed query fails before any indexing starts
        if not index.exists and index_dir == DEFAULT_INDEX:
            if not Path(DEFAULT_CORPUS).is_dir():
                raise IndexNotFoundError(f"no index at {index_dir}/ and no {DEFAULT_CORPUS}/ "
                                         f"folder to build it from; run `izde index PATHS` first")
            if not quiet:
                click.echo(f"building the index from {DEFAULT_CORPUS}/ (first use) …", err=True)
            _run_update(index, [DEFAULT_CORPUS], quiet=quiet)
        elif index.is_stale:
            if not quiet:
                click.echo("rebuilding the index: it was built by another version of Izde …",
                           err=True)
            _run_update(index, [], quiet=quiet)  # re-reads the files it already held
        hits = index.search(query, limit=limit, lang=lang, semantic=False if lexical else None)
    if as_json:
        from search.hits import search_response

        click.echo(json.dumps(search_response(query, hits), ensure_ascii=False, indent=2))
    elif as_jsonl:
        for hit in hits:
            click.echo(json.dumps(hit.as_dict(), ensure_ascii=False))
    else:
        _print_hits(query, hits)
    if not hits:
        sys.exit(1)


def _print_hits(query, hits) -> None:
    colour = _colour()
    # On stderr, like every note: stdout stays one `path:line:` line per hit.
    for line in _search_notes(query, hits):
        click.echo(line, err=True)
    if getattr(hits, "partial", False):  # a sharded index whose shards did not all answer
        click.echo(f"izde: warning: partial results: shard(s) "
                   f"{', '.join(map(str, hits.missing_shards))} did not answer "
                   f"({'; '.join(hits.shard_errors.values())})", err=True)
    for hit in hits:
        location = f"{_display_path(hit.path)}:{hit.line}:" if hit.line else \
            f"{_display_path(hit.path)}:"
        if hit.page is not None:
            location += f" p.{hit.page}"  # a PDF's page: its lines are not the file's
        location = click.style(location, fg="magenta") if colour else location
        meta = f"[{hit.lang}] {hit.score:.2f}"
        meta = click.style(meta, fg="green") if colour else meta
        snippet = hit.highlighted.render(before="\x1b[1;31m", after="\x1b[0m") \
            if colour else hit.snippet
        # color= keeps click from stripping (or keeping) escapes by its own guess.
        click.echo(f"{location} {meta}", color=colour)
        click.echo(f"    {snippet}", color=colour)
    if not hits:
        click.echo("no matching paragraphs", err=True)


def _search_notes(query, hits) -> list[str]:
    """What was searched when it is not just the query as typed, so users can trust it."""
    notes = []
    if hits.did_you_mean:
        notes.append(f"did you mean: {hits.did_you_mean}")
    others = [text for text in hits.searched_for if text != query]
    if others:
        notes.append(f"searched for: {' | '.join(hits.searched_for)}")
    return notes


def _colour(stream=None) -> bool:
    """Whether to colour ``stream`` (stdout): --color, else NO_COLOR, TERM=dumb and a TTY."""
    ctx = click.get_current_context(silent=True)
    choice = ctx.find_root().meta.get("izde.color", "auto") if ctx else "auto"
    if choice != "auto":
        return choice == "always"
    stream = stream or sys.stdout
    return (stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


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
        raise IzdeError(f"{error.name} is missing; install the serve extra: "
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
    with _StagedProgress(quiet=as_json) as progress:
        if folds:
            from search.evaluation import lemma_folds
            report = lemma_folds.fold_report(conllu, lang, folds, raw_text, show_errors,
                                             progress=progress)
        else:
            report = _lemma_report(conllu, lang, show_errors, compare_stock, progress)
    if folds:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json
                   else "\n".join(lemma_folds.report_lines(report)))
        return
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(f"{conllu} ({lang}): {report['forms']:,} forms")
    click.echo(f"conflation precision {report['precision']:.3f}  recall {report['recall']:.3f}"
               f"  F1 {report['f1']:.3f}")
    click.echo(f"throughput: {report['cold_words_per_s']:,} words/s cold, "
               f"{report['warm_words_per_s']:,} words/s warm ({report['words']:,} words)")
    if compare_stock:
        click.echo(f"stock Whoosh analyzer: {report['stock_warm_words_per_s']:,} words/s warm "
                   f"(passes interleaved with ours); ours/stock {report['warm_ratio_to_stock']:.2f}")
    for kind, examples in report.get("errors", {}).items():
        click.echo(f"{kind.replace('_', ' ')}:")
        for e in examples:
            click.echo(f"  {e['forms'][0]} {e['terms'][0]} / {e['forms'][1]} {e['terms'][1]}"
                       f"  gold {e['gold'][0]} / {e['gold'][1]}")


def _lemma_report(conllu, lang, show_errors, compare_stock, progress) -> dict:
    """Scores and one speed per measure: cold, and warm (interleaved with the stock
    analyzer's passes when comparing, so a busy machine slows both alike)."""
    from analyzers import analyzer_for
    from search.evaluation import lemmas as lemma_eval

    pairs, sentences = lemma_eval.read_conllu(conllu)
    analyzer = analyzer_for(lang)
    terms_of = lemma_eval.analyzer_terms(analyzer)
    forms = len({form for form, _ in pairs})
    analyzed = 0

    def counted_terms_of(form):
        nonlocal analyzed
        analyzed += 1
        progress("analyzing forms", analyzed, forms)
        return terms_of(form)

    report = lemma_eval.conflation_scores(pairs, counted_terms_of).as_dict()
    report.update(lemma_eval.throughput(analyzer, sentences, repeat=0 if compare_stock else 3,
                                        progress=progress))
    if compare_stock:
        report.update(lemma_eval.compare_stock(analyzer, lang, sentences, progress=progress))
    if show_errors:
        report["errors"] = lemma_eval.conflation_errors(pairs, terms_of, limit=show_errors)
    return report


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
@click.option("--semantic", is_flag=True,
              help="Index with embeddings; report lexical and hybrid ranking side by side "
                   "and cross-validate the hybrid's fusion (needs izde[semantic]).")
@click.option("--embedding-cache", type=click.Path(file_okay=False), default=None,
              help="With --semantic: keep passage embeddings here by content, across runs.")
@click.option("--folds", type=click.IntRange(0), default=5, show_default=True,
              help="With --semantic: folds of the cross-validation (0: none).")
@click.option("--compare-stock", is_flag=True,
              help="Also score stock Whoosh (StemmingAnalyzer, title and text in one "
                   "field, words OR-ed) on the same paragraphs and queries.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_retrieval(corpus, queries, qrels, cache_dir, ranking_only, rewrites, semantic,
                   embedding_cache, folds, compare_stock, as_json):
    """nDCG@10, MRR@10, Recall@10/@100 and latency on judged queries, per language."""
    from search.evaluation import retrieval as retrieval_eval

    reports = {}
    for rewrite in rewrites or ("exact",):
        with _StagedProgress(quiet=as_json) as progress:  # a fresh bar per rewrite
            if semantic:
                from search.evaluation.semantic_folds import evaluate_semantic

                reports[rewrite] = evaluate_semantic(
                    corpus, queries, qrels, cache_dir=cache_dir,
                    embedding_cache=embedding_cache, progress=progress,
                    full_path=not ranking_only, rewrite=rewrite, folds=folds)
                continue
            reports[rewrite] = retrieval_eval.evaluate(
                corpus, queries, qrels, cache_dir=cache_dir, progress=progress,
                full_path=not ranking_only, rewrite=rewrite)
    stock = {}
    if compare_stock:
        from search.evaluation.stock_retrieval import evaluate_stock

        for rewrite in reports:
            with _StagedProgress(quiet=as_json) as progress:
                stock[rewrite] = evaluate_stock(corpus, queries, qrels, progress=progress,
                                                rewrite=rewrite)
    if as_json:
        as_dicts = {rewrite: report.as_dict() for rewrite, report in reports.items()}
        for rewrite, report in stock.items():
            as_dicts[rewrite]["stock_whoosh"] = report.as_dict()
        # One rewrite prints its report as before; several, one report per rewrite.
        shown = next(iter(as_dicts.values())) if len(as_dicts) == 1 else as_dicts
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    for rewrite, report in reports.items():
        if len(reports) > 1:
            click.echo(f"--rewrite {rewrite}")
        first = getattr(report, "lexical", report)  # a semantic report holds two
        click.echo(f"{first.paragraphs:,} paragraphs indexed in {first.index_seconds:.1f} s; "
                   f"{first.skipped_queries:,} queries without judgments skipped")
        click.echo(report.table())
        if rewrite in stock:
            click.echo("stock Whoosh (StemmingAnalyzer, title and text in one field, "
                       "words OR-ed), same queries:")
            click.echo(stock[rewrite].table())


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
@click.option("--shards", type=click.IntRange(1, 1024), default=None,
              help="Instead: N shards built and searched on a Dask cluster beside one index.")
@click.option("--semantic", is_flag=True,
              help="Also measure semantic mode: embedding throughput on a sample, index size "
                   "with and without embeddings, query latency both ways (needs izde[semantic]).")
@click.option("--semantic-sample", type=click.IntRange(1), default=48, show_default=True,
              help="With --semantic: paragraphs the model embeds to time it (~3/s here).")
@click.option("--repeat", type=click.IntRange(1, 99), default=1, show_default=True,
              help="Measure every engine N times, engine order alternating; report medians "
                   "and each round's ratios (for a noisy machine).")
@cluster_option
@json_option
def bench_run(corpus, queries, index_dir, engines, procs, limitmb, seed, shards, semantic,
              semantic_sample, repeat, cluster, as_json):
    """Index CORPUS with Izde, stock Whoosh and tantivy; time queries and a 1% update.

    With --shards: one index and N shards (built as Dask tasks on --cluster, or on a
    scheduler and two workers started on 127.0.0.1), build and query times side by
    side, the scheduler's cost per query, and a projection to 10M and 100M paragraphs.
    """
    from search.bench import run as bench

    if semantic and (shards is not None or cluster):
        raise click.UsageError("--semantic measures one index; it does not combine with "
                               "--shards or --cluster")
    if repeat > 1 and (shards is not None or cluster):
        raise click.UsageError("--repeat measures one index per engine; it does not combine "
                               "with --shards or --cluster")
    if shards is not None or cluster:
        from search.bench.shards import compare_sharded, format_report
        from search.ingest.indexer import discover_files

        files, _, _ = discover_files([corpus])
        query_set = [spec.izde() for spec in bench.make_queries(files, queries, seed)]
        result = compare_sharded(Path(corpus), query_set, shards or 4, cluster,
                                 scratch=Path(index_dir) if index_dir else None,
                                 progress=None if as_json else _note)
        click.echo(json.dumps(result, indent=2) if as_json else format_report(result))
        return
    with _Ticker(quiet=as_json) as ticker:
        result = bench.run_benchmark(corpus, queries=queries, index_dir=index_dir,
                                     engines=engines or bench.ENGINES, procs=procs,
                                     limitmb=limitmb, seed=seed, repeat=repeat,
                                     progress=lambda engine: ticker.stage(f"benchmarking {engine}"))
        if semantic:
            from search.bench.semantic import measure_semantic
            from search.ingest.indexer import discover_files

            ticker.stage(f"semantic mode (embedding a sample of {semantic_sample})")
            files, _, _ = discover_files([corpus])
            result["semantic"] = measure_semantic(
                corpus, bench.make_queries(files, queries, seed), semantic_sample, seed)
    text = bench.as_json(result) if as_json else bench.format_table(result)
    if semantic and not as_json:
        from search.bench.semantic import format_semantic

        text += "\n" + format_semantic(result["semantic"])
    click.echo(text)


@bench_group.command("shards")
@click.option("--corpus", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A JSON-lines collection {id, text} (.jsonl or .jsonl.gz).")
@click.option("--queries", "queries_path", required=True,
              type=click.Path(exists=True, dir_okay=False))
@click.option("--qrels", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--per-file", type=click.IntRange(1), default=20, show_default=True,
              help="Paragraphs written to each file.")
@click.option("--shards", type=click.IntRange(1, 1024), default=4, show_default=True)
@cluster_option
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Workers of the local cluster started without --cluster.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Keep the files and indexes here (default: a temporary folder).")
@json_option
def bench_shards(corpus, queries_path, qrels, per_file, shards, cluster, workers, out, as_json):
    """The collection written as files, one index beside N shards on a Dask cluster:
    top-10 overlap, nDCG@10 of both, build and query times."""
    import tempfile

    from search.bench.shards import compare_sharded, format_report, write_collection
    from search.evaluation.retrieval import ndcg_at, read_jsonl, read_qrels

    records = read_jsonl(corpus, ("id", "text"))
    queries = read_jsonl(queries_path, ("id", "text"))
    judged = read_qrels(qrels)
    queries = [query for query in queries if query["id"] in judged]
    scratch = Path(out) if out else Path(tempfile.mkdtemp(prefix="izde-shards-"))
    try:
        id_of_text = write_collection(records, scratch / "files", per_file)
        result = compare_sharded(
            scratch / "files", [query["text"] for query in queries], shards, cluster, workers,
            scratch, judge=lambda i, ranked: ndcg_at(ranked, judged[queries[i]["id"]]),
            id_of_text=id_of_text, progress=None if as_json else _note)
    finally:
        if not out:
            import shutil
            shutil.rmtree(scratch, ignore_errors=True)
    click.echo(json.dumps(result, indent=2) if as_json else format_report(result))


def _note(message: str) -> None:
    click.echo(message + " …", err=True)


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


class _Ticker:
    """On a terminal, ``label: N s`` on stderr, redrawn every second, for stages that
    run in another process and cannot report how far they are (bench run's engines)."""

    def __init__(self, quiet=False):
        import threading

        self.show = not quiet and sys.stderr.isatty()
        self.label, self.started = None, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        if self.show:
            self._thread.start()
        return self

    def stage(self, label):
        import time

        if self.show and self.label is not None:
            self._draw()
            click.echo("", err=True)  # keep the finished stage's line and time
        self.label, self.started = label, time.monotonic()

    def _draw(self):
        import time

        if self.label is not None:
            click.echo(f"\r{self.label}: {time.monotonic() - self.started:.0f} s\x1b[K",
                       err=True, nl=False)

    def _run(self):
        while not self._stop.wait(1.0):
            self._draw()

    def __exit__(self, *exc):
        if self.show:
            self._stop.set()
            self._thread.join()
            if self.label is not None:
                self._draw()
                click.echo("", err=True)


class _StagedProgress:
    """``progress(stage, done, total)`` drawn as one click bar per stage on a terminal
    (stderr); nothing when piped or quiet. Redraws at most every 1% of a stage."""

    def __init__(self, quiet=False):
        self.show = not quiet and sys.stderr.isatty()
        self.bar, self.stage, self.shown = None, None, 0

    def __enter__(self):
        return self

    def __call__(self, stage, done, total):
        if not self.show:
            return
        if stage != self.stage:
            self._close()
            self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
            self.bar.__enter__()
            self.stage, self.shown = stage, 0
        if done - self.shown >= max(1, total // 100) or done == total:
            self.bar.update(done - self.shown)
            self.shown = done

    def _close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __exit__(self, *exc):
        self._close()


# Allocations before a young collection, and young collections before an older one, in
# the `izde` process. Start-up builds ~300k long-lived objects (modules, pymorphy3's
# tag table, the Kazakh lexicon) and no garbage worth a walk; at Python's default
# (700, 10, 10) the collector walked them 72 times in an `izde search`.
COMMAND_GC_THRESHOLDS = (50_000, 20, 20)


def run():
    """The ``izde`` console script: :func:`main` in a process that ends when it returns.

    The collector runs less often, and what is alive at the end is frozen, so the
    interpreter's last collection does not walk every object only to free it when the
    process exits anyway: `izde search` on the seeds took 236 ms before, 196 ms after
    (medians of 9, one run). Embedders calling :func:`main` (tests, CliRunner) keep
    their own collector settings.
    """
    gc.set_threshold(*COMMAND_GC_THRESHOLDS)
    try:
        main()
    finally:
        # Files are closed and indexes committed by then (every write is a `with`).
        gc.freeze()


if __name__ == "__main__":
    run()
