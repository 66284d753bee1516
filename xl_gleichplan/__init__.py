"""xl_gleichplan: Gleichstellungspläne (ThürGleichG § 4) aus Personalstatistiken."""

__version__ = "0.1.0"

from .errors import GleichplanError  # noqa: E402

__all__ = ["__version__", "GleichplanError", "consolidate", "Consolidation"]


def __getattr__(name):  # the consolidation loads pandas (0.6 s): only on first use
    if name in ("consolidate", "Consolidation"):
        from . import consolidation

        return getattr(consolidation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
