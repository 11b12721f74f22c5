"""`dailypapers eval beir` on a small BEIR folder built in the test."""

import json

from typer.testing import CliRunner

from dailypapers.cli import app

DOCS = {
    "d1": ("Aspirin and colorectal cancer", "Daily aspirin lowers the risk of colorectal cancer."),
    "d2": ("Statins and heart disease", "Statins reduce cardiovascular events in adults."),
    "d3": ("Exercise and sleep", "Regular exercise improves sleep quality in older adults."),
    "d4": ("Vitamin D and bone density", "Vitamin D supplements increase bone mineral density."),
}
QUERIES = {
    "q1": "aspirin prevents bowel cancer",
    "q2": "cholesterol medication protects coronary arteries",
    "q3": "physical activity helps people sleep",
    "q4": "not judged in this split",
}


def beir(tmp_path):
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    with (folder / "corpus.jsonl").open("w") as out:
        for doc_id, (title, text) in DOCS.items():
            meta = {"authors": ["Jane Roe"]} if doc_id == "d1" else {}
            out.write(
                json.dumps({"_id": doc_id, "title": title, "text": text, "metadata": meta}) + "\n"
            )
    with (folder / "queries.jsonl").open("w") as out:
        out.writelines(json.dumps({"_id": q, "text": t}) + "\n" for q, t in QUERIES.items())
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n"
    )
    return folder


def test_eval_beir_json(tmp_path):
    result = CliRunner().invoke(app, ["eval", "beir", str(beir(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["docs"] == 4 and report["queries"] == 3
    for mode in ("lexical", "semantic", "hybrid"):
        assert set(report[mode]) == {"ndcg@10", "recall@100", "mrr@10"}
    assert report["semantic"]["ndcg@10"] == 1.0  # meaning, no shared words needed
    assert report["hybrid"]["recall@100"] == 1.0
    assert report["lexical"]["recall@100"] == round(2 / 3, 4)  # q2 shares no word with its document
    assert report["index_s"] > 0 and report["query_ms_p50"] > 0


def test_eval_beir_reports_a_bad_folder(tmp_path):
    result = CliRunner().invoke(app, ["eval", "beir", str(tmp_path), "--split", "train"])
    assert result.exit_code == 2
    assert "no corpus.jsonl" in result.output
