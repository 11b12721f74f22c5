from dailypapers.search.highlight import highlight, snippet


def test_highlight_marks_stems_and_escapes():
    html = highlight("Scaling <b>Models</b> & modelling", ["model"])
    assert html == "Scaling &lt;b&gt;<mark>Models</mark>&lt;/b&gt; &amp; <mark>modelling</mark>"


def test_highlight_without_words_only_escapes():
    assert highlight("<script>x</script>", []) == "&lt;script&gt;x&lt;/script&gt;"


def test_snippet_centres_on_first_match():
    text = "filler " * 100 + "the diffusion prior works " + "tail " * 100
    out = snippet(text, ["diffusion"], length=120)
    assert "<mark>diffusion</mark>" in out
    assert out.startswith("… ") and out.endswith(" …")
    assert len(out) < 200
