"""Overseas ROI warehouse: command line, pipeline runner and synthetic data."""
