"""`dailypapers index`, `search` and `eval beir`: the search side of the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from dailypapers.cli.common import (
    EXIT_ERROR,
    EXIT_NEW,
    EXIT_NOTHING_NEW,
    database,
    err,
    load_settings,
    out,
    progress_bar,
)

eval_app = typer.Typer(help="Measure search quality.")


def index(
    rebuild: Annotated[bool, typer.Option(help="Rebuild the lexical index from scratch")] = False,
    batch: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="Papers per embedding round, each committed [128]"),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Embed at most this many papers")] = None,
    vectors: Annotated[
        bool,
        typer.Option(
            "--vectors",
            help="Fold every new embedding into the memory-mapped vector graph now (it is "
            "otherwise done once the corpus passes 100,000 papers and new ones are 5% of it)",
        ),
    ] = False,
) -> None:
    """Bring the search indexes up to date: the lexical change log, then embeddings (resumable)."""
    from dailypapers.search.indexer import EMBED_BATCH
    from dailypapers.search.mapped import GraphBusy
    from dailypapers.search.runtime import build_search, load_embedder

    with database() as sessions:
        runtime = build_search(
            load_settings(), sessions, load_embedder(threads=None), with_embedder=True
        )
        indexer = runtime.indexer
        with progress_bar() as progress:
            if rebuild:
                task = progress.add_task("lexical rebuild", total=None)
                total = indexer.rebuild_lexical(lambda n: progress.advance(task, n))
                out.print(f"lexical index rebuilt: {total} papers")
            out.print(f"lexical index: {indexer.sync_lexical()} queued papers indexed")
            if indexer.embedder is None:
                err.print(
                    "[yellow]embedding model not installed: semantic search stays off[/yellow]"
                )
                raise typer.Exit(EXIT_ERROR)
            pending = indexer.pending_embeddings()
            total = pending if limit is None else min(pending, limit)
            task = progress.add_task("embedding", total=total)
            done = indexer.embed_pending(
                batch or EMBED_BATCH, limit, progress=lambda n: progress.advance(task, n)
            )
            task = progress.add_task("vector graph", total=None)
            try:
                folded = indexer.compact_vectors(
                    force=vectors, progress=lambda n: progress.advance(task, n)
                )
            except GraphBusy as exc:
                err.print(f"vector graph: {exc}; it will hold these papers when it is done")
                folded = None
        if folded:
            out.print(f"vector graph: {folded.count:,} papers (generation {folded.generation})")
        out.print(f"embedded {done} papers; {max(pending - done, 0)} still waiting")
        raise typer.Exit(EXIT_NEW if done or folded else EXIT_NOTHING_NEW)


def search(
    query: Annotated[str, typer.Argument(help='Words and "quoted phrases"')],
    mode: Annotated[str, typer.Option(help="hybrid, lexical or semantic")] = "hybrid",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Search the papers of this instance."""
    import json

    from dailypapers.search.runtime import build_search
    from dailypapers.search.service import MODES

    if mode not in MODES:
        err.print(f"[red]error:[/red] --mode must be one of {', '.join(MODES)}")
        raise typer.Exit(EXIT_ERROR)
    with database() as sessions:
        runtime = build_search(load_settings(), sessions)
        runtime.catch_up(embed_limit=0)
        result = runtime.service.search(query, mode=mode, limit=limit)
        if as_json:
            hits = [
                {"id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 6),
                 "upvotes": h.paper.upvotes}
                for h in result.hits
            ]  # fmt: skip
            out.print_json(json.dumps({"mode": result.used, "notes": result.notes, "hits": hits}))
            return
        for note in result.notes:
            err.print(f"[yellow]{note}[/yellow]")
        for rank, hit in enumerate(result.hits, start=1):
            out.print(
                f"{rank:>3}. [bold]{hit.paper.title}[/bold]  "
                f"[dim]{hit.paper.arxiv_id} ▲{hit.paper.upvotes}[/dim]",
                highlight=False,
            )
        if not result.hits:
            out.print("no matches")


@eval_app.command("beir")
def eval_beir(
    folder: Annotated[
        Path, typer.Argument(help="A BEIR folder: corpus.jsonl[.gz], queries.jsonl, qrels/")
    ],
    split: Annotated[str, typer.Option(help="Which qrels/SPLIT.tsv to use")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    database_url: Annotated[
        str, typer.Option(help="An empty database to run on (PostgreSQL: its own engines)")
    ] = "",
) -> None:
    """nDCG@10, Recall@100 and MRR@10 of lexical, semantic and hybrid search on a BEIR folder."""
    import json

    from dailypapers.search.evaluation import BeirError, evaluate
    from dailypapers.search.runtime import load_embedder

    with progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done)

        try:
            result = evaluate(folder, split, load_embedder(threads=None), report, database_url)
        except (BeirError, OSError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(EXIT_ERROR) from None
    if as_json:
        print(json.dumps(result))
        return
    table = Table(
        title=f"{folder.name} ({split}): {result['docs']} docs, {result['queries']} queries"
    )
    for column in ("mode", "nDCG@10", "Recall@100", "MRR@10"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    for mode in ("lexical", "semantic", "hybrid"):
        m = result[mode]
        table.add_row(mode, f"{m['ndcg@10']:.4f}", f"{m['recall@100']:.4f}", f"{m['mrr@10']:.4f}")
    out.print(table)
    out.print(f"index {result['index_s']} s · hybrid query p50 {result['query_ms_p50']} ms")


@eval_app.command("recommend")
def eval_recommend(
    path: Annotated[
        Path, typer.Argument(help="An archive in papers.jsonl's form (with submitted_by)")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    min_submissions: Annotated[
        int, typer.Option(min=3, help="Readers: submitters with at least this many papers")
    ] = 8,
) -> None:
    """Recall@10, Recall@50 and nDCG@10 of "For you" against recency, popularity and an
    arxiv-sanity-lite SVM, trained on each submitter's earlier submissions and judged on their
    later ones (docs/ranking.md)."""
    import json

    from dailypapers.papers.recommend_eval import evaluate, read_archive, report

    try:
        rows, problems = read_archive(path)
    except OSError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None
    for problem in problems[:20]:
        err.print(f"[yellow]skipped[/yellow] {problem}")
    result = report(evaluate(rows, min_submissions=min_submissions))
    if not result["readers"]:
        err.print(f"[red]error:[/red] no submitter in {path} has {min_submissions} papers")
        raise typer.Exit(EXIT_ERROR)
    if as_json:
        print(json.dumps(result))
        return
    table = Table(title=f"{path.name}: {result['readers']} readers")
    for column in ("method", "Recall@10", "Recall@50", "nDCG@10"):
        table.add_column(column)
    named = {"ours": result["method"], **result["baselines"]}
    for name, found in named.items():
        overall = found["overall"]
        table.add_row(name, *(f"{overall[k]:.3f}" for k in ("recall@10", "recall@50", "ndcg@10")))
    out.print(table)
