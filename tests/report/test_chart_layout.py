"""The share chart's fixed margins (issue 16): no tight_layout (it drew every chart twice), and
still every label, tick and the legend inside the figure."""
from __future__ import annotations

from fractions import Fraction

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from xl_gleichplan.report import charts
from xl_gleichplan.report.charts import Bar, share_chart

LABELS = ["Höherer Dienst", "Besoldungsgruppe A 13 – Verwaltung und Finanzen", "E 9b", "Führungsebene 2"]


@pytest.mark.parametrize("labels", [LABELS, ["A"], LABELS * 4])
def test_every_text_of_the_chart_lies_inside_the_figure(monkeypatch, labels):
    def no_tight_layout(self, *args, **kwargs):
        raise AssertionError("tight_layout draws the figure a second time")

    monkeypatch.setattr(Figure, "tight_layout", no_tight_layout)
    kept = []
    monkeypatch.setattr(plt, "close", lambda fig: kept.append(fig))  # look at the figure after saving
    bars = [Bar(label, Fraction(i * 37 % 101, 100) if i % 3 else None, "women" if i % 2 else None)
            for i, label in enumerate(labels)]
    png = share_chart(bars, Fraction(2, 5), Fraction(3, 5))
    assert png.startswith(b"\x89PNG")
    fig = kept[0]
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_visible()) if t.get_text()]
    assert len(texts) > len(labels)
    for text in texts:
        extent = text.get_window_extent(renderer)
        assert box.x0 - 0.5 <= extent.x0 and extent.x1 <= box.x1 + 0.5, text.get_text()
        assert box.y0 - 0.5 <= extent.y0 and extent.y1 <= box.y1 + 0.5, text.get_text()
    legend = [a.get_window_extent(renderer) for a in fig.findobj(lambda a: a.get_gid() == "legende")]
    assert len(legend) == 2 * (1 + len({b.verdict for b in bars if b.share is not None}))  # handle and text each
    axis = fig.axes[0].get_tightbbox(renderer)
    assert max(box.y1 for box in legend) <= axis.y0 + 1, "legend under the axis, tick labels and x label included"
    assert all(box.x0 >= 0 and box.x1 <= fig.bbox.x1 for box in legend)
    plt.close(fig)
