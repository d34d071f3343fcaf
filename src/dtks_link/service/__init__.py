"""The matching service: ``dtks-link serve REGISTRY``, an authenticated HTTP API over a registry.

Key files (:mod:`.keys`) and audit logs (:mod:`.audit`) need nothing beyond the core; the HTTP
server needs the ``service`` extra (FastAPI, uvicorn, prometheus-client, python-multipart):
``pip install 'dtks-link[service]'``. Importing :mod:`dtks_link` never imports FastAPI.
"""

from __future__ import annotations

from ..errors import EngineError

__all__ = ["INSTALL_HINT", "require_service_extra"]

INSTALL_HINT = "pip install 'dtks-link[service]'"


def require_service_extra() -> None:
    """Raise :class:`EngineError` with the install command when the extra is missing."""
    missing = []
    for module in ("fastapi", "uvicorn", "prometheus_client", "python_multipart", "httpx"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise EngineError(
            f"the matching service needs {', '.join(missing)}, which are not installed: {INSTALL_HINT}"
        )
