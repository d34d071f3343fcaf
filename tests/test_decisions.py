"""Reviewers' decisions in the registry: must-links and cannot-links that last through builds,
ingests, retraining and Spark; conflicts reported; history kept; the review queue."""

from __future__ import annotations

import gzip
import shutil
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dtks_link
from dtks_link import Registry
from dtks_link.cli import main as cli_main
from dtks_link.config import LinkageOptions, LinkConfig, SourceConfig
from dtks_link.registry.decisions import DecisionConflictWarning, DecisionError
from dtks_link.review import export_review, review_queue

COLUMNS = {
    "nama": "nama", "tanggal_lahir": "tgl", "jenis_kelamin": "jk", "alamat": "alamat",
    "kelurahan": "kel", "rt": "rt", "rw": "rw", "telepon": "hp", "tempat_lahir": "tl",
}  # fmt: skip

#: DTKS rows keyed by a NIK (as some offices key them): the ids must never be printed raw.
AHMAD_D = "3276011402800001"
SRI_D = "3276014403700002"
SITI_D = "3276015208550003"
DTKS = pd.DataFrame(
    [
        # Ahmad Fauzi: the same name, birth date, address and phone in PKH; the officer found
        # two men (the model scores the pair 0.999+)
        [AHMAD_D, "AHMAD FAUZI", "1980-02-14", "L", "JL. MARGONDA RAYA NO. 10", "BEJI", "3", "5",
         "081234567890", None],
        # Sri Wahyuni moved from Depok Jaya to Cinere; PKH has her as "WAHYUNI", born in
        # Surabaya by that record (the model scores the pair below 0.01)
        [SRI_D, "SRI WAHYUNI", "1970-03-04", "P", "JL. NUSANTARA NO. 2", "DEPOK JAYA", "1", "2",
         None, "DEPOK"],
        [SITI_D, "SITI AMINAH", "1955-08-12", "P", "JL. KEMBANG NO. 7", "PANCORAN MAS", "4", "1",
         None, None],
    ],
    columns=["id", "nama", "tgl", "jk", "alamat", "kel", "rt", "rw", "hp", "tl"],
)  # fmt: skip
PKH = pd.DataFrame(
    [
        ["P1", "AHMAD FAUZI", "1980-02-14", "L", "JL. MARGONDA RAYA NO. 10", "BEJI", "3", "5",
         "081234567890", None],
        ["P2", "WAHYUNI", "1970-03-04", "P", "GG. MAWAR NO. 9", "CINERE", "8", "6", None, "SURABAYA"],
        ["P3", "HJ. SITI AMINAH", "1955-08-12", "P", "JL. KEMBANG NO. 7", "PANCORAN MAS", "4", "1",
         None, None],
    ],
    columns=["id", "nama", "tgl", "jk", "alamat", "kel", "rt", "rw", "hp", "tl"],
)  # fmt: skip
#: a later batch: Ahmad Fauzi once more (BPNT), and Sri Wahyuni again
BPNT = pd.DataFrame(
    [
        ["B1", "AHMAD FAUZI", "1980-02-14", "L", "JL. MARGONDA RAYA NO. 10", "BEJI", "3", "5",
         "081234567890", None],
        ["B2", "SRI WAHYUNI", "1970-03-04", "P", "JL. NUSANTARA NO. 2", "DEPOK JAYA", "1", "2",
         None, "DEPOK"],
    ],
    columns=["id", "nama", "tgl", "jk", "alamat", "kel", "rt", "rw", "hp", "tl"],
)  # fmt: skip
AHMAD = (("dtks", AHMAD_D), ("pkh", "P1"))
SRI = (("dtks", SRI_D), ("pkh", "P2"))
SITI = (("dtks", SITI_D), ("pkh", "P3"))


def source(name: str, frame: pd.DataFrame) -> SourceConfig:
    return SourceConfig(name=name, id_column="id", columns=COLUMNS, data=frame)


def config(*sources: SourceConfig) -> LinkConfig:
    return LinkConfig(
        sources=sources or (source("dtks", DTKS), source("pkh", PKH)),
        options=LinkageOptions(model="default", pair_threshold=1e-6),
    )


def resident(registry: Registry, record: tuple[str, str]) -> str:
    found = registry.resident_id_of(*record)
    assert found is not None
    return found


def together(registry: Registry, pair: tuple[tuple[str, str], tuple[str, str]]) -> bool:
    return resident(registry, pair[0]) == resident(registry, pair[1])


def score(result: Any, pair: tuple[tuple[str, str], tuple[str, str]]) -> float:
    (s1, r1), (s2, r2) = pair
    p = result.pairs
    hit = p[
        ((p.source_l == s1) & (p.record_id_l == r1) & (p.source_r == s2) & (p.record_id_r == r2))
        | ((p.source_l == s2) & (p.record_id_l == r2) & (p.source_r == s1) & (p.record_id_r == r1))
    ]
    return float(hit["match_probability"].iloc[0]) if len(hit) else 0.0


@pytest.fixture()
def built(tmp_path: Path) -> tuple[Registry, Any]:
    registry = Registry(tmp_path / "literal.registry")
    result = dtks_link.link(config(), registry=registry, write=False)
    yield registry, result
    registry.close()


def test_a_cannot_link_splits_records_the_model_scores_at_0999(built: tuple[Registry, Any]) -> None:
    registry, result = built
    assert score(result, AHMAD) >= 0.999 and together(registry, AHMAD)
    before = resident(registry, AHMAD[0])
    report = registry.decide(*AHMAD, False, by="Ani (Kel. Beji)", reason="ayah dan anak, dicek di rumah")
    assert not together(registry, AHMAD)
    assert report.residents_split == 1 and report.records_moved == 1
    assert resident(registry, AHMAD[0]) == before  # the id stays with one part, by the usual rules
    decision = report.decisions[0]
    assert (decision.same, decision.decided_by, decision.in_force) == (False, "Ani (Kel. Beji)", True)
    # the events of the split name the decision
    events = registry.con.execute(
        "SELECT kind, decision_id FROM reg.events WHERE run_id = ? ORDER BY event_id", [report.run_id]
    ).fetchall()
    assert {kind for kind, _ in events} >= {"split", "created", "detached", "attached"}
    assert {d for _, d in events} == {decision.decision_id}
    # a re-run (the same model, the same scores) keeps them apart and moves no id
    rerun = dtks_link.link(config(), registry=registry, write=False)
    assert not together(registry, AHMAD)
    assert rerun.counts["constraints"].decisions_applied == 1
    assert rerun.run["registry"]["merged"] == rerun.run["registry"]["split"] == 0


def test_a_must_link_joins_records_the_model_scores_below_001(built: tuple[Registry, Any]) -> None:
    registry, result = built
    assert score(result, SRI) <= 0.01 and not together(registry, SRI)
    ids = {resident(registry, SRI[0]), resident(registry, SRI[1])}
    report = registry.decide(*SRI, True, by="Budi", reason="KTP dicek", document="BA-2026/117")
    assert together(registry, SRI)
    assert report.residents_merged == 1
    kept = resident(registry, SRI[0])
    assert kept == min(ids)  # the oldest id survives, the other is merged into it
    assert registry.resolve(max(ids)) == kept
    merged = registry.con.execute(
        "SELECT decision_id FROM reg.events WHERE run_id = ? AND kind = 'merged'", [report.run_id]
    ).fetchall()
    assert merged == [(report.decisions[0].decision_id,)]
    assert registry.decisions()[0].document == "BA-2026/117"
    dtks_link.link(config(), registry=registry, write=False)
    assert together(registry, SRI) and resident(registry, SRI[0]) == kept


def test_a_conflict_is_reported_with_both_decisions_and_the_different_holds(
    built: tuple[Registry, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    registry, _ = built
    registry.decide(*SRI, True, by="Budi", reason="KTP dicek")
    registry.decide(SRI[1], SITI[0], True, by="Citra", reason="salah baca")  # chains Sri and Siti
    assert together(registry, (SRI[0], SITI[0]))
    with pytest.warns(DecisionConflictWarning, match="contradicted by") as caught:
        report = registry.decide(SRI[0], SITI[0], False, by="Dewi", reason="dua orang berbeda")
    message = str(caught[0].message)
    assert "Budi" in message and "Citra" in message and "Dewi" in message
    assert SRI_D not in message and SITI_D not in message  # record ids that are NIKs are masked
    assert not together(registry, (SRI[0], SITI[0]))  # the 'different' holds
    (conflict,) = report.conflicts
    assert conflict.apart.decided_by == "Dewi"
    assert {d.decided_by for d in conflict.chain} == {"Budi", "Citra"}
    assert registry.decision_conflicts() == [conflict]
    # a full run reports it again, and says so in its summary
    with pytest.warns(DecisionConflictWarning):
        rerun = dtks_link.link(config(), registry=registry, write=False)
    assert rerun.counts["constraints"].decision_conflicts == 1
    assert "1 conflict(s)" in rerun.summary()
    assert not together(registry, (SRI[0], SITI[0]))
    # the CLI lists it too, with identifiers masked
    path = str(registry.path)
    registry.close()
    assert cli_main(["registry", "decisions", path]) == 0
    out = capsys.readouterr().out
    assert "CONFLICT" in out and "3 decision(s) in force" in out
    assert SRI_D not in out and SITI_D not in out and "3276*" in out
    # a reviewer settles it: Citra's decision is overridden, the history keeps it
    with Registry(path) as again:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DecisionConflictWarning)
            again.decide(SRI[1], SITI[0], False, by="Citra", reason="koreksi")
        assert again.decision_conflicts() == []
        assert len(again.decisions()) == 3 and len(again.decisions(history=True)) == 4
        assert [d.in_force for d in again.decisions(history=True)] == [True, False, True, True]


def test_decisions_survive_an_ingest(built: tuple[Registry, Any]) -> None:
    registry, _ = built
    registry.decide(*AHMAD, False, by="Ani", reason="dua orang")
    registry.decide(*SRI, True, by="Budi", reason="KTP dicek")
    report = registry.ingest(source("bpnt", BPNT))
    assert report.records_added == 2
    assert not together(registry, AHMAD) and together(registry, SRI)
    # the new Ahmad Fauzi joins one of the two men, and Sri's new record joins her resident
    ahmads = {resident(registry, AHMAD[0]), resident(registry, AHMAD[1])}
    assert resident(registry, ("bpnt", "B1")) in ahmads
    assert resident(registry, ("bpnt", "B2")) == resident(registry, SRI[0])


def test_a_decision_must_name_known_records_and_a_decider(built: tuple[Registry, Any]) -> None:
    registry, _ = built
    with pytest.raises(DecisionError, match="holds no record") as caught:
        registry.decide(("dtks", "3276019999990009"), AHMAD[1], True, by="Ani", reason="x")
    assert "3276019999990009" not in str(caught.value)
    with pytest.raises(DecisionError, match="who decided"):
        registry.decide(*AHMAD, True, by=" ", reason="x")
    with pytest.raises(DecisionError, match="two records"):
        registry.decide(AHMAD[0], AHMAD[0], True, by="Ani", reason="x")
    assert registry.decisions(history=True) == []


def test_decisions_feed_training_as_labels(built: tuple[Registry, Any]) -> None:
    registry, _ = built
    registry.decide(*AHMAD, False, by="Ani", reason="dua orang")
    registry.decide(*SRI, True, by="Budi", reason="sama")
    labels = registry.decisions_as_labels()
    assert list(labels.columns) == ["source_l", "record_id_l", "source_r", "record_id_r", "is_match"]
    assert sorted(labels["is_match"]) == [False, True]
    assert set(labels["record_id_l"]) | set(labels["record_id_r"]) == {AHMAD_D, "P1", SRI_D, "P2"}


# -- the review queue -----------------------------------------------------------------------------
def test_the_queue_puts_first_the_pair_that_moves_most_records() -> None:
    """Residents A = {0,1,2} and B = {3,4,5} with a pair 2~3 at 0.6 between them, singletons 6
    and 7 at 0.5, and resident E = {8,9} + {10,11} held together by one link 9~10 at 0.92.
    Deciding 'same' on 2~3 would move three records: it comes first, although 6~7 is more
    uncertain. Cutting 9~10 moves two records, but the model is sure enough of it (0.92) to
    keep it last. 1~4 asks about A and B again: one pair per two residents. A decided pair
    never comes back."""
    uid = [("s", str(i)) for i in range(12)]
    strong = [(0, 1), (1, 2), (3, 4), (4, 5), (8, 9), (10, 11)]
    rows = [(*uid[a], *uid[b], 20.0, 0.999) for a, b in strong]
    rows += [(*uid[2], *uid[3], 0.6, 0.6), (*uid[6], *uid[7], 0.0, 0.5), (*uid[9], *uid[10], 3.5, 0.92)]
    rows += [(*uid[1], *uid[4], 0.4, 0.57)]  # A and B again: the same question, asked once
    pairs = pd.DataFrame(
        rows,
        columns=["source_l", "record_id_l", "source_r", "record_id_r", "match_weight", "match_probability"],
    )
    clusters = pd.DataFrame(
        {"source": "s", "record_id": [str(i) for i in range(12)], "resident_id": list("AAABBBCDEEEE")}
    )
    records = pd.DataFrame({"source": "s", "record_id": [str(i) for i in range(12)], "nama_clean": "X"})
    queue = review_queue(pairs, records, clusters=clusters, threshold=0.9)
    assert list(zip(queue.record_id_l, queue.record_id_r, strict=True)) == [
        ("2", "3"),
        ("6", "7"),
        ("9", "10"),
    ]
    assert list(queue.records_moved) == [3, 1, 2]
    assert list(queue.expected_change) == pytest.approx([0.6 * 3, 0.5, 0.08 * 2])
    plain = review_queue(pairs, records)  # without clusters: most uncertain first, as before
    assert list(plain.record_id_l) == ["6", "1", "2", "9"]
    uncertain = review_queue(pairs, records, clusters=clusters, order="uncertainty")
    assert list(uncertain.record_id_l) == ["6", "1", "9"] and list(uncertain.records_moved) == [1, 3, 2]
    decided = pd.DataFrame({"source_l": ["s"], "record_id_l": ["3"], "source_r": ["s"], "record_id_r": ["2"]})
    again = review_queue(pairs, records, clusters=clusters, decided=decided)
    assert list(again.record_id_l) == ["6", "9"]  # 1~4 asked about A and B: answered


def test_review_round_through_the_cli(built: tuple[Registry, Any], tmp_path: Path, capsys: Any) -> None:
    registry, _ = built
    path = str(registry.path)
    registry.close()
    review = tmp_path / "review.xlsx"
    assert cli_main(["registry", "review", path, str(review), "--lower", "0.0", "--upper", "1.0"]) == 0
    queue = pd.read_excel(review, dtype=str)
    assert len(queue) == 3  # Ahmad, Siti, Sri (every pair in the band)
    queue["is_match"] = ["tidak" if r == "P1" else "" for r in queue["record_id_r"]]
    queue.loc[queue["record_id_r"] == "P1", "note"] = "ayah dan anak"
    export_review(queue, review)
    assert cli_main(["registry", "decisions", "import", path, str(review), "--by", "Ani"]) == 0
    out = capsys.readouterr().out
    assert "1 decision(s) recorded" in out and "1 split" in out
    assert AHMAD_D not in out
    with Registry(path) as reopened:
        (decision,) = reopened.decisions()
        assert decision.reason == "ayah dan anak" and decision.origin == "review file review.xlsx"
        assert not together(reopened, AHMAD)
        left = reopened.review_queue(lower=0.0, upper=1.0)
        assert len(left) == 2 and "P1" not in set(left["record_id_r"])  # decided: never again
    assert cli_main(["registry", "decide", path, "pkh:P2", f"dtks:{SRI_D}", "--same", "--by", "Budi",
                     "--reason", "KTP dicek", "--document", "BA-117"]) == 0  # fmt: skip
    assert cli_main(["registry", "decisions", path, "--history"]) == 0
    out = capsys.readouterr().out
    assert "same person, by Budi" in out and "[document: BA-117]" in out and SRI_D not in out
    assert (
        cli_main(["registry", "decide", path, "pkh", "pkh:P1", "--same", "--by", "x", "--reason", "y"]) == 2
    )


# -- a trained model, retrained; and a registry of the previous format ----------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from dtks_link.synth import generate

    return generate(tmp_path_factory.mktemp("decisions") / "data", residents=400, seed=7)


def test_decisions_survive_a_retrain(synthetic: Any, tmp_path: Path) -> None:
    cfg = dtks_link.load_config(synthetic.config_path)
    with Registry(tmp_path / "trained.registry") as registry:
        first = dtks_link.link(cfg, registry=registry, write=False)
        pairs = first.pairs.sort_values("match_probability")
        strongest = pairs.iloc[-1]
        apart = ((strongest.source_l, strongest.record_id_l), (strongest.source_r, strongest.record_id_r))
        # two records of two residents (unscored: far apart), which a reviewer says are one person
        clusters = first.clusters.sort_values(["source", "record_id"])
        dtks = clusters[clusters.source == "dtks"].iloc[0]
        other = clusters[(clusters.source == "bpjs_pbi") & (clusters.resident_id != dtks.resident_id)].iloc[0]
        joined = ((dtks.source, dtks.record_id), (other.source, other.record_id))
        assert together(registry, apart) and not together(registry, joined)
        registry.decide(*apart, False, by="Ani", reason="dua orang")
        registry.decide(*joined, True, by="Budi", reason="satu orang")
        # retrain: the decisions also feed the model as labels, so the parameters change
        second = dtks_link.link(cfg, registry=registry, write=False, labels=registry.decisions_as_labels())
        assert not second.model.parameters().equals(first.model.parameters())
        assert not together(registry, apart) and together(registry, joined)
        assert second.counts["constraints"].decisions_applied == 2


def test_an_old_registry_migrates_to_decisions(tmp_path: Path) -> None:
    path = tmp_path / "old.registry"
    with (
        gzip.open(Path(__file__).parent / "data" / "registry_v1.registry.gz") as old,
        open(path, "wb") as new,
    ):
        shutil.copyfileobj(old, new)
    assert Registry.migrate(path) == (1, 3)
    with Registry(path) as registry:
        assert registry.decisions() == [] and registry.decision_conflicts() == []
        members = registry.con.execute(
            "SELECT r.source, r.record_id, m.resident_id FROM reg.membership m "
            "JOIN reg.records r USING (unique_id) "
            "WHERE m.resident_id IN (SELECT resident_id FROM reg.membership GROUP BY 1 HAVING count(*) > 1) "
            "ORDER BY 3, 1, 2 LIMIT 2"
        ).fetchall()
        (s1, r1, _), (s2, r2, _) = members
        report = registry.decide((s1, r1), (s2, r2), False, by="Ani", reason="dua orang")
        assert registry.resident_id_of(s1, r1) != registry.resident_id_of(s2, r2)
        assert report.run_id == 2


# -- Spark ----------------------------------------------------------------------------------------
@pytest.mark.spark
def test_decisions_hold_on_spark(tmp_path: Path, spark_engine: Any) -> None:
    with Registry(tmp_path / "spark.registry") as registry:
        dtks_link.link(config(), registry=registry, write=False)
        registry.decide(*AHMAD, False, by="Ani", reason="dua orang")
        registry.decide(*SRI, True, by="Budi", reason="sama")
        duck = registry.con.execute("SELECT unique_id, resident_id FROM reg.membership ORDER BY 1").fetchall()
        spark = dtks_link.link(config(), registry=registry, write=False, engine=spark_engine)
        assert spark.counts["constraints"].decisions_applied == 2
        assert not together(registry, AHMAD) and together(registry, SRI)
        after = registry.con.execute(
            "SELECT unique_id, resident_id FROM reg.membership ORDER BY 1"
        ).fetchall()
        assert after == duck  # the same residents, the same ids
