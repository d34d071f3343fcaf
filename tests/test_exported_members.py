"""The public API is small, sorted and deliberate: an accidental export fails this test."""

import dtks_link


def test_all_is_sorted_and_exact() -> None:
    assert dtks_link.__all__ == sorted(dtks_link.__all__)
    assert set(dtks_link.__all__) == {
        "ConfigError",
        "DtksLinkError",
        "EngineError",
        "EvaluationError",
        "LinkConfig",
        "LinkResult",
        "LinkageMetrics",
        "LinkageOptions",
        "QueryError",
        "Registry",
        "ResidentModel",
        "SourceConfig",
        "SourceError",
        "TrainingError",
        "evaluate",
        "link",
        "load_config",
        "propose_config",
        "pseudonymise",
    }
    for name in dtks_link.__all__:
        assert getattr(dtks_link, name) is not None


def test_errors_share_one_base() -> None:
    for name in ("ConfigError", "SourceError", "EngineError", "EvaluationError", "QueryError"):
        assert issubclass(getattr(dtks_link, name), dtks_link.DtksLinkError)
