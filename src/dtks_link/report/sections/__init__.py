"""The report's sections, in page order: run (summary, quality, blocking), model (weights,
accuracy) and residents (clusters, uncertain pairs, registry).

Each ``*_section(report, data)`` adds its section to a
:class:`~dtks_link.report.document.ReportBuilder`; :func:`~dtks_link.report.render_report`
calls them in order.
"""

from __future__ import annotations

from .model import accuracy_section, model_section, weights_section
from .residents import clusters_section, registry_section, uncertain_section
from .run import blocking_section, quality_section, summary_section

__all__ = [
    "accuracy_section",
    "blocking_section",
    "clusters_section",
    "model_section",
    "quality_section",
    "registry_section",
    "summary_section",
    "uncertain_section",
    "weights_section",
]
