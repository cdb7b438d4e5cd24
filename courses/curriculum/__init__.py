"""Curriculum as files: parse, validate, import into and export from the page tree.

``format`` reads and writes the files (no database); ``importer`` and ``exporter`` move them in and
out of Wagtail. Other apps use ``courses.services`` rather than these modules.
"""
