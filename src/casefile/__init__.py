"""casefile: evidence dossiers (one PDF per accused) from plain case files."""

__version__ = "0.1.0"
