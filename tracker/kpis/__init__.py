"""Monitoring KPIs: measurements, threshold alerts, trend charts and the optimisation log."""
