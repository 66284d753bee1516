"""xl_gleichplan: Gleichstellungspläne (ThürGleichG § 4) aus Personalstatistiken."""

__version__ = "0.1.0"

from .errors import GleichplanError  # noqa: E402

__all__ = ["__version__", "GleichplanError"]
