"""Transports and formats: everything that touches files lives here (one module per format)."""
