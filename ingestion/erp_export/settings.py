"""The scheduled ERP export drop (SAP and other ERPs): where it is and what it looks like."""

from __future__ import annotations

# Files of the export folder the source reads; each must have the columns of the file drop's
# erp_costs.csv (docs/file-drop.md): cost_id, project_code, cost_date, category, amount,
# currency, posted_at. Excel files need openpyxl (see README.md).
DEFAULT_PATTERNS = ("*.csv", "*.xlsx")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
# The worksheet read from an Excel export: this one if present, else the first.
PREFERRED_SHEET = "erp_costs"
