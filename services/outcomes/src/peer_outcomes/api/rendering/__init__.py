"""Showing a report: CSV and a self-contained HTML page with inline SVG charts.

Renderers only ever see the report as it may be shown (after disclosure control for commissioners), so
no hidden figure can leak into a table or a chart.
"""
