import datetime as dt
import xml.etree.ElementTree as ET

from dailypapers.papers.charts import papers_per_day_svg, upvote_strip_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_papers_per_day_has_one_bar_per_day_scaled_to_peak():
    days = [dt.date(2026, 6, d) for d in range(1, 8)]
    svg = papers_per_day_svg(days, {days[0]: 10, days[2]: 5}, link="/papers?date=")
    root = ET.fromstring(svg)
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert len(heights) == 7
    assert heights[0] == 2 * heights[2] and heights[1] == 0
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert links == ["/papers?date=2026-06-01", "/papers?date=2026-06-03"]


def test_upvote_strip_highlights_the_paper_and_escapes_ids():
    svg = upvote_strip_svg([("2606.1", 3), ("<x>", 9), ("2606.3", 9)], "2606.1")
    root = ET.fromstring(svg)  # well-formed even with markup in an id
    mine = [c for c in root.iter(f"{SVG}circle") if "mine" in c.get("class")]
    assert len(mine) == 1
    assert "#3 of 3" in root.get("aria-label")
