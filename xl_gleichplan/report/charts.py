"""Charts for the plan draft (matplotlib, drawn off-screen): share of women per Bereich.

The caller passes only shares a protected table shows; a hidden share is ``None`` and is not drawn
(the Bereich keeps its line, marked as not shown, so the reader sees it exists).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.lines import TICKDOWN, Line2D  # noqa: E402
from matplotlib.transforms import offset_copy  # noqa: E402

from ..texts import NARROW_NBSP, fmt_pct  # noqa: E402

WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with 2,5 cm margins
DPI = 150
COLOURS = {"women": "#b03a2e", "men": "#d68910", None: "#2e6da4"}
LEGEND = {"women": "Frauen unterrepräsentiert", "men": "Männer unterrepräsentiert",
          None: "kein Geschlecht unterrepräsentiert"}


# fixed margins around the axis (see share_chart): room for the ticks, their padding and a border, half of the
# "100 %" under the right end, the label of the top bar, and the x tick labels with "Frauenanteil"
_LABEL_PAD_PX, _RIGHT_IN, _TOP_IN, _AXIS_BELOW_IN = 24, 0.25, 0.1, 0.5
_LEGEND_IN = 0.45  # two legend rows under the axis
_LABEL_GAP_PT = 7  # between a label and the axis (a tick mark and its padding)
_XLABEL_DROP_PT = 21  # from the axis to the top of "Frauenanteil": under the scale's labels
_STEPS = (0, 20, 40, 60, 80, 100)
_LABEL_BOX = dict(facecolor="white", edgecolor="none", pad=0.6)  # labels stay readable over the dashed lines


@dataclass(frozen=True)
class Bar:
    label: str
    share: Fraction | None  # share of women; None: not shown
    verdict: str | None = None  # "women" | "men" | None
    note: str = "nicht ausgewiesen (Datenschutz)"  # written where no bar is drawn


def _legend(fig, renderer, items: list[tuple[str | None, str]]) -> None:
    """The legend, centred at the bottom of the figure in two columns filled column by column, laid
    out as matplotlib's legend (loc="lower center", ncol=2, fontsize 8, no frame) lays it out, from
    rectangles, a dashed line (colour None) and texts: its packing boxes cost a sixth of the chart.
    Its artists carry the gid "legende"."""
    em, font = 8 / 72, FontProperties(size=8)  # inches
    rows = -(-len(items) // 2)
    columns = [items[:rows], items[rows:]] if len(items) > 1 else [items]
    text_in = [max(renderer.get_text_width_height_descent(t, font, ismath=False)[0] for _, t in col) / fig.dpi
               for col in columns]
    widths = [2.0 * em + 0.8 * em + w for w in text_in]  # handle, its padding, the longest text
    x = WIDTH_IN / 2 - (sum(widths) + 2.0 * em * (len(columns) - 1)) / 2
    line_in = renderer.get_text_width_height_descent("Ag", font, ismath=False)[1] / fig.dpi
    bottom = (0.5 + 0.4) * em  # the legend's distance to the figure's edge and its inner padding
    at = fig.dpi_scale_trans
    for col, width in zip(columns, widths):
        for k, (colour, text) in enumerate(col):
            y = bottom + (rows - 1 - k) * (line_in + 0.5 * em) + line_in / 2  # the row's middle
            if colour is None:
                fig.add_artist(Line2D([x, x + 2.0 * em], [y, y], color="#333333", linestyle="--", linewidth=1,
                                      transform=at, gid="legende"))
            else:
                fig.add_artist(Rectangle((x, y - 0.35 * em), 2.0 * em, 0.7 * em, color=colour, transform=at,
                                         gid="legende"))
            fig.text(x + 2.8 * em, y, text, fontsize=8, va="center", transform=at, gid="legende")
        x += width + 2.0 * em


def figure_size(n: int) -> tuple[float, float]:
    """Width and height in inches of a chart of ``n`` bars: a line per bar, the axis, the legend."""
    return WIDTH_IN, 0.85 + 0.3 * n + _LEGEND_IN


def share_chart(bars: list[Bar], threshold: Fraction, upper: Fraction | None = None) -> bytes:
    """Horizontal bars of the share of women per Bereich, dashed lines at the threshold (and at
    ``upper`` = 1 - threshold where men can be underrepresented too); PNG bytes."""
    # unhinted glyphs: a sixth less time per chart; hinting snaps glyphs to a screen's pixels,
    # which a chart printed at 150 dpi does not need
    with matplotlib.rc_context({"text.hinting": "none"}):
        return _share_chart(bars, threshold, upper)


def _share_chart(bars: list[Bar], threshold: Fraction, upper: Fraction | None) -> bytes:
    n = len(bars)
    _, height = figure_size(n)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height), dpi=DPI)
    ys = list(range(n))[::-1]  # first Bereich on top, as in the table
    shown = [(y, bar) for y, bar in zip(ys, bars) if bar.share is not None]
    # all bars in one call (one call per bar cost a tenth of the chart)
    ax.barh([y for y, _ in shown], [float(b.share) * 100 for _, b in shown], height=0.62,
            color=[COLOURS[b.verdict] for _, b in shown])
    # the Bereiche as texts left of the axis: a tick is five artists, made and drawn for each Bereich
    beside = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-_LABEL_GAP_PT, units="points")
    for y, bar in zip(ys, bars):
        ax.text(0, y, bar.label, transform=beside, ha="right", va="center_baseline", fontsize=9)
        if bar.share is None:
            ax.text(1, y, bar.note, va="center", fontsize=8, color="#555555", style="italic", zorder=3,
                    bbox=_LABEL_BOX)
            continue
        value = float(bar.share) * 100
        # value label inside long bars (white), right of short ones (black): never cut at 100 %
        inside = value > 82
        ax.text(value - 1 if inside else value + 1, y, fmt_pct(bar.share), va="center", fontsize=8,
                ha="right" if inside else "left", color="white" if inside else "black", zorder=3,
                bbox=None if inside else _LABEL_BOX)
    lines = [threshold] + ([upper] if upper is not None else [])
    for line in lines:
        ax.axvline(float(line) * 100, color="#333333", linestyle="--", linewidth=1)
    ax.set_yticks([])
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlim(0, 100)
    # the scale likewise: one line of tick marks and a text per step instead of six ticks
    ax.set_xticks([])
    ax.plot(_STEPS, [0] * len(_STEPS), transform=ax.get_xaxis_transform(), marker=TICKDOWN, markersize=3.5,
            markeredgewidth=0.8, color="black", linestyle="none", clip_on=False)
    under = offset_copy(ax.get_xaxis_transform(), fig=fig, y=-_LABEL_GAP_PT, units="points")
    for x in _STEPS:
        ax.text(x, 0, f"{x}{NARROW_NBSP}%", transform=under, ha="center", va="top", fontsize=8)
    ax.text(0.5, 0, "Frauenanteil", transform=offset_copy(ax.transAxes, fig=fig, y=-_XLABEL_DROP_PT, units="points"),
            ha="center", va="top", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    used = [v for v in COLOURS if any(b.verdict == v and b.share is not None for b in bars)]
    # legend in its own strip under the axis; the axis gets fixed margins, the left one as wide as
    # the longest label measured by the renderer: tight_layout drew the whole figure once more for
    # that, half of the chart's time (the figure keeps its size, the draft sets it to 16 cm)
    renderer = fig.canvas.get_renderer()
    _legend(fig, renderer, [(COLOURS[v], LEGEND[v]) for v in used]
            + [(None, "Schwelle " + " / ".join(fmt_pct(x).replace(",00", "") for x in lines))])
    font = FontProperties(size=9)
    label_px = max((renderer.get_text_width_height_descent(b.label, font, ismath=False)[0] for b in bars), default=0)
    width_px = WIDTH_IN * fig.dpi
    fig.subplots_adjust(left=min(0.6, (label_px + _LABEL_PAD_PX) / width_px), right=1 - _RIGHT_IN / WIDTH_IN,
                        top=1 - _TOP_IN / height, bottom=(_LEGEND_IN + _AXIS_BELOW_IN) / height)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 3})  # 2 % larger than level 6, a third faster
    plt.close(fig)
    return buf.getvalue()
