"""ResidentModel: save/load round trip, plain-text explanations, waterfall charts."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dtks_link import EngineError, ResidentModel, link


@pytest.fixture(scope="module")
def linked(small_depok: Any) -> Any:
    return link(small_depok.config_path, write=False, keep_records=True)


def _pair(linked: Any, rank: int) -> tuple[dict[str, Any], dict[str, Any], Any]:
    records = linked.records.set_index("unique_id", drop=False)
    pair = linked.pairs.sort_values("match_weight").iloc[rank]
    left = records.loc[f"{pair.source_l}|{pair.record_id_l}"].to_dict()
    right = records.loc[f"{pair.source_r}|{pair.record_id_r}"].to_dict()
    return left, right, pair


def test_saved_model_loads_and_scores_like_the_original(linked: Any, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    linked.model.save(path)
    loaded = ResidentModel.load(path).attach(linked.records)
    assert [r.name for r in loaded.blocking_rules_] == [r.name for r in linked.model.blocking_rules_]
    pd.testing.assert_frame_equal(loaded.parameters(), linked.model.parameters())
    pairs = loaded.predict(threshold=0.05).as_pandas_dataframe()
    got = pairs.set_index(["unique_id_l", "unique_id_r"])["match_weight"].sort_index()
    expected = linked.pairs.assign(
        unique_id_l=linked.pairs.source_l + "|" + linked.pairs.record_id_l,
        unique_id_r=linked.pairs.source_r + "|" + linked.pairs.record_id_r,
    ).set_index(["unique_id_l", "unique_id_r"])["match_weight"].sort_index()
    assert len(got) == len(expected)
    assert (got - expected.reindex(got.index)).abs().max() < 1e-6


def test_load_rejects_a_file_that_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "not_a_model.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(EngineError, match="not a saved"):
        ResidentModel.load(path)


def test_explanation_adds_up_and_names_no_identifier(linked: Any, tmp_path: Path) -> None:
    model = ResidentModel.load(_saved(linked, tmp_path)).attach(linked.records)
    for rank in (0, len(linked.pairs) // 2, -1):
        left, right, pair = _pair(linked, rank)
        text = model.explain(left, right)
        total = float(re.match(r"match weight ([+-][0-9.]+)", text).group(1))  # type: ignore[union-attr]
        assert total == pytest.approx(pair.match_weight, abs=0.01)
        # the parts (prior, each comparison and its term-frequency adjustment) add up to the total
        parts = [float(x) for x in re.findall(r"([+-][0-9]+\.[0-9]+)", text.split(" = ", 1)[1])]
        assert math.isclose(sum(parts), total, abs_tol=0.05 * len(parts))
        for value in (left.get("nik"), right.get("nik"), left.get("no_kk"), left.get("nama_clean")):
            if value:
                assert str(value) not in text
        assert not re.search(r"[0-9]{16}", text)


def test_waterfall_chart_masks_identifiers(linked: Any, tmp_path: Path) -> None:
    model = ResidentModel.load(_saved(linked, tmp_path)).attach(linked.records)
    left, right, _ = _pair(linked, -1)
    chart = model.waterfall_chart(left, right)
    spec = str(chart.chart_dict)
    shown = str(model.waterfall_chart(left, right, show_values=True).chart_dict)
    for value in (left.get("nik"), right.get("nik")):
        if value:
            assert value not in spec and value not in shown
            assert value[:4] + "********" + value[-4:] in shown
    assert "match_weight" in spec or "log2_bayes_factor" in spec


def test_explaining_needs_a_fitted_model() -> None:
    with pytest.raises(EngineError, match="not fitted"):
        ResidentModel().explain({}, {})


def _saved(linked: Any, tmp_path: Path) -> Path:
    path = tmp_path / "m.json"
    linked.model.save(path)
    return path
