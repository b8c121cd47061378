"""Readers and writers of Pix Orga files for candidates: bytes in, bytes out, no database."""
