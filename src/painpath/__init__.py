"""painpath: decision support for interventional treatment of chronic back pain."""

__version__ = "0.1.0"
