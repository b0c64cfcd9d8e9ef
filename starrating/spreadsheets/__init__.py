"""openpyxl workbooks in and out: rows to .xlsx bytes, uploaded .xlsx to checked rows; no Flask."""
