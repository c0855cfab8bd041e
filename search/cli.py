"""The ``izde`` command: a thin shell over the library (parse options, call, print)."""

import json
import sys

import click

from analyzers import LANGUAGES, analyzer_for


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Izde: search Kazakh, Russian and English text."""


@main.group("eval")
def eval_group():
    """Measure analyzers and ranking."""


@eval_group.command("lemmas")
@click.argument("conllu", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", type=click.Choice(LANGUAGES), required=True, help="Analyzer to measure.")
@click.option("--errors", "show_errors", type=int, default=0, help="Also list N error examples.")
@click.option("--compare-stock", is_flag=True,
              help="Also time Whoosh's stock analyzer for the language on the same text.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def eval_lemmas(conllu, lang, show_errors, compare_stock, as_json):
    """Conflation precision/recall/F1 and throughput of an analyzer on a CoNLL-U treebank."""
    from search import lemma_eval

    pairs, sentences = lemma_eval.read_conllu(conllu)
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


if __name__ == "__main__":
    sys.exit(main())
