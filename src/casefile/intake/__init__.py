"""Intake of exhibit files that are not PDFs ready to print: scans and photos get a text layer
(OCR), and Word documents, e-mails, web captures and CSV tables become PDF renditions. Every
result is cached by the original's SHA-256, the converter's version and the settings (see
cache.py), so a rebuild converts nothing and stays byte-identical."""
