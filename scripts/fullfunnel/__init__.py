"""fullfunnel: the Python side of the marketing warehouse (demo data, checks, exports)."""

__version__ = "0.1.0"
