"""helixc built-in plugin: corpus (``helixc corpus build``, ``helixc corpus import-seed``).

Heavy imports stay inside the command functions, so ``helixc`` starts fast.
"""

from __future__ import annotations

import click

from helixc.hookspecs import hookimpl


@hookimpl
def register_commands(cli):
    @cli.group(name="corpus", cls=type(cli))  # HelixError -> one line, exit 2 (helixc.cli.HelixGroup)
    def corpus():
        """Generate training corpora and import the seed's corpora."""

    @corpus.command(name="build")
    @click.option("--seed", default=0, show_default=True, type=int, help="Random seed (same seed, same bytes).")
    @click.option("--out", "out_dir", default="corpora/data/generated", show_default=True,
                  type=click.Path(file_okay=False), help="Output directory.")
    @click.option("--train-size", default=None, type=int, help="Training rows per notation route (default 12000).")
    @click.option("--val-size", default=None, type=int, help="Validation rows per notation route (default 1000).")
    @click.option("--test-size", default=None, type=int, help="Test rows per notation route (default 2500).")
    @click.option("--novel-size", default=None, type=int, help="test_novel rows per notation route (default 2500).")
    @click.option("--no-verify", is_flag=True, help="Skip re-deriving every output with the compiler.")
    def build_cmd(seed, out_dir, train_size, val_size, test_size, novel_size, no_verify):
        """Write <out>/<role>/<split>.jsonl for the coordinator and every route, plus manifest.json.

        Explain rows are 30% of a notation route's count per split.
        """
        import json

        from helixc_corpora import build

        sizes = {k: v for k, v in (("train", train_size), ("val", val_size), ("test", test_size),
                                   ("test_novel", novel_size)) if v is not None}
        info = build(seed=seed, out_dir=out_dir, sizes=sizes, verify=not no_verify)
        click.echo(json.dumps({"manifest": info["manifest"], "counts": info["counts"]}, indent=2))

    @corpus.command(name="import-seed")
    @click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
    @click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False),
                  help="Write the repaired, validated rows here (default: not written).")
    @click.option("--report", "report_path", default=None, type=click.Path(dir_okay=False),
                  help="Write the Markdown report here too (it always goes to stdout).")
    @click.option("--force", is_flag=True, help="Replace --out / --report files that already exist.")
    def import_seed_cmd(files, out_path, report_path, force):
        """Read the seed's JSONL corpora, repair the 0x300 glyph shift, validate every row, report.

        FILES default to the seed corpora shipped in corpora/seed/. Rows are read with the four
        built-in notations only, whatever other plugins are installed. To regenerate the committed
        files: --out corpora/data/seed-repaired.jsonl --report docs/seed-import.md --force
        """
        from helixc_corpora.seed_import import import_seed

        result = import_seed(list(files) or None, out_path=out_path, report_path=report_path, force=force)
        click.echo(result["markdown"], nl=False)

    @corpus.command(name="eval-reader")
    @click.option("--corpus", "corpus_dir", default="corpora/data/generated", show_default=True,
                  type=click.Path(file_okay=False, exists=True), help="A built corpus.")
    @click.option("--split", default="test", show_default=True,
                  type=click.Choice(["train", "val", "test", "test_novel"]))
    @click.option("--limit", default=0, type=int, help="Only the first N rows (0: all).")
    def eval_reader_cmd(corpus_dir, split, limit):
        """Measure the compiler's rule-based request reader (the --engine compiler baseline) on a split."""
        import json

        from helixc_corpora.reader_eval import evaluate_reader, load_split

        rows = load_split(corpus_dir, split)
        if limit:
            rows = rows[:limit]
        click.echo(json.dumps({"split": split, **evaluate_reader(rows)}, indent=2))

