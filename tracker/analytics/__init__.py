"""Portfolio analytics: how the programme's gate process performs (one page, with drill-down
and an XLSX export)."""
