"""The seed documents' own tables (../shared/seeds): each as it leaves the app, with the seed's
column names in the seed's order (Chinese, or English for a person who reads English), as
XLSX or CSV, and one workbook per initiative with a sheet per table that has data."""
