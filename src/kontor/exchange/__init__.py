"""Import and export of master data in the file format `kontor/v1` (plain Python, no models).

`loader.data_import` loads a file through the domain services, all or nothing;
`exporter.accounts_export` writes the same format back. See docs/import-format.md.
"""
