"""Report: key findings, the ranked hot-spot table, and the HTML page with its files."""

from hotspot.report.findings import key_findings
from hotspot.report.ranking import hotspot_table
from hotspot.report.write import settings_json, write_analysis, write_report

__all__ = ["hotspot_table", "key_findings", "settings_json", "write_analysis", "write_report"]
