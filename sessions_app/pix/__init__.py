"""Pix file readers and writers of sessions_app (Pix Certif): bytes in, bytes out, no database."""
