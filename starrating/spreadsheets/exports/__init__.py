"""The workbooks the township files (DESIGN.md §9): plain data already read in, .xlsx bytes out,
each sheet print-ready (A4 landscape, one page wide); layout holds what the sheets share."""
