"""Charts for the plan draft (matplotlib, drawn off-screen): share of women per Bereich."""
from __future__ import annotations

import io
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..texts import fmt_pct  # noqa: E402


def share_chart(points: list[tuple[str, Fraction]], threshold: Fraction, title: str) -> bytes:
    """Horizontal bars of the share of women per Bereich with the threshold as a line; PNG bytes."""
    labels = [label for label, _ in points][::-1]
    values = [float(v) * 100 for _, v in points][::-1]
    fig, ax = plt.subplots(figsize=(7.0, 0.8 + 0.28 * len(points)), dpi=150)
    colors = ["#c0504d" if v < float(threshold) * 100 or v > 100 - float(threshold) * 100 else "#1f4e79" for v in values]
    ax.barh(labels, values, color=colors, height=0.6)
    ax.axvline(float(threshold) * 100, color="#7f7f7f", linestyle="--", linewidth=1)
    ax.axvline(100 - float(threshold) * 100, color="#7f7f7f", linestyle="--", linewidth=1)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}\u202f%"))
    ax.set_xlabel("Frauenanteil (gestrichelt: Schwelle der Unterrepräsentanz)")
    ax.set_title(f"Frauenanteil nach {title}", fontsize=10)
    ax.tick_params(labelsize=8)
    for y, (v, (_, share)) in enumerate(zip(values, points[::-1])):
        ax.text(min(v + 1, 90), y, fmt_pct(share), va="center", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
