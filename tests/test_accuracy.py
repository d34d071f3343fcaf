"""Accuracy safeguards (issue 13, 15.4): training never fails silently, small inputs link with
the default model, source mixes that lack whole fields still link, family members stay apart,
error analysis and the model's own quality estimate."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import dtks_link
from dtks_link import LinkageOptions, LinkConfig, SourceConfig
from dtks_link.errors import ConfigError, TrainingError
from dtks_link.evaluation import expected_quality

FAST = LinkageOptions(max_pairs_for_u=2e5, seed=3, reference_date=dt.date(2025, 6, 30))


def _nik(born: dt.date, *, female: bool, serial: int, region: str = "327601") -> str:
    day = born.day + (40 if female else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def _mix(
    small_depok: Any, *, drop_sources: tuple[str, ...] = (), keep_fields: set[str] | None = None
) -> LinkConfig:
    config = dtks_link.load_config(small_depok.config_path)
    sources = []
    for source in config.sources:
        if source.name in drop_sources:
            continue
        columns = dict(source.columns)
        if keep_fields is not None:
            columns = {k: v for k, v in columns.items() if k in keep_fields}
        if columns:
            sources.append(dataclasses.replace(source, columns=columns))
    return LinkConfig(sources=tuple(sources), options=FAST)


# -- training never fails silently ------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 10, 100])
def test_small_files_link_without_error(small_depok: Any, n: int) -> None:
    truth = pd.read_parquet(small_depok.truth_path)
    dukcapil = pd.read_csv(small_depok.source_paths["dukcapil"], dtype=str)
    dtks = pd.read_csv(small_depok.source_paths["dtks"], dtype=str, sep="|")
    # the first dtks records and the Dukcapil records of the same residents
    chosen = dtks.head(n // 2)
    ids = truth[(truth.source == "dtks") & truth.record_id.isin(chosen["iddtks"])]["true_id"]
    same = truth[(truth.source == "dukcapil") & truth.true_id.isin(ids)]["record_id"]
    partner = dukcapil[dukcapil["ID"].isin(same)].head(n - len(chosen))
    config = dtks_link.load_config(small_depok.config_path)
    sources = (
        dataclasses.replace(config.source("dukcapil"), path=None, data=partner),
        dataclasses.replace(config.source("dtks"), path=None, data=chosen),
    )
    result = dtks_link.link(LinkConfig(sources=sources, options=FAST), write=False)
    assert len(result.clusters) == len(chosen) + len(partner)
    assert result.model.model_kind_ == "default"
    assert any("default model" in line for line in result.model.training_log_)
    metrics = dtks_link.evaluate(result.clusters, truth)
    assert metrics.recall >= 0.5 and metrics.precision >= 0.9


def test_model_option_is_validated_and_read_from_toml(tmp_path: Path, small_depok: Any) -> None:
    with pytest.raises(ConfigError, match=r"linkage\.model"):
        LinkageOptions(model="magic")
    text = small_depok.config_path.read_text() + '\n[linkage]\nmodel = "default"\n'
    path = small_depok.config_path.parent / "default_model_config.toml"
    path.write_text(text)
    assert dtks_link.load_config(path).options.model == "default"


def test_a_failed_em_session_leaves_every_comparison_in_the_model(small_depok: Any) -> None:
    """Splink 5 drops the comparisons a session cannot train from the linker's settings and
    never restores them when the session raises (the 0-pairs failure of issue 13)."""
    from dtks_link.backends.splink_compat import em_session

    class Training:
        def __init__(self, settings: Any) -> None:
            self.settings = settings

        def estimate_parameters_using_expectation_maximisation(self, *args: Any, **kwargs: Any) -> None:
            self.settings.comparisons = self.settings.comparisons[:1]  # what Splink does
            self.settings._probability_two_random_records_match = 0.5
            raise ValueError("m_probability value 0.0 is below the minimum allowed value")

    class Settings:
        def __init__(self) -> None:
            self.comparisons = ["nik", "nama", "tanggal_lahir"]
            self._probability_two_random_records_match = 1e-4

    class Linker:
        def __init__(self) -> None:
            self._settings_obj = Settings()
            self.training = Training(self._settings_obj)

    linker = Linker()
    with pytest.raises(ValueError, match="minimum allowed"):
        em_session(linker, "rule")
    assert linker._settings_obj.comparisons == ["nik", "nama", "tanggal_lahir"]
    assert linker._settings_obj._probability_two_random_records_match == 1e-4


def test_a_comparison_no_session_trains_borrows_the_default_model(
    small_depok: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dtks_link.model as model_module

    # only the NIK rule: the birth-date comparison reads the NIK and cannot be trained by it
    monkeypatch.setattr(model_module, "_EM_RULES", model_module._EM_RULES[:1])
    monkeypatch.setattr(model_module, "_HOUSEHOLD_RULES", ())
    result = dtks_link.link(_mix(small_depok, drop_sources=("bencana",)), write=False)
    model = result.model
    assert model.parameter_sources_["tanggal_lahir"] == "the default model"
    assert any("tanggal_lahir: no EM session could train it" in line for line in model.training_log_)
    weights = model.parameters().set_index(["comparison", "level"])["match_weight"]
    assert weights[("tanggal_lahir", "Exact date")] > 5
    assert dtks_link.evaluate(result.clusters, pd.read_parquet(small_depok.truth_path)).f1 > 0.95


@pytest.mark.parametrize(
    ("label", "drop", "fields", "min_f1"),
    [
        ("no civil registry", ("dukcapil",), None, 0.95),
        ("no birth dates anywhere", (), {"nik", "no_kk", "nama", "jenis_kelamin", "alamat", "rt", "rw",
                                         "kelurahan", "kecamatan", "telepon"}, 0.93),
        ("names only plus one identifier", (), {"nama", "nik"}, 0.85),
    ],
)  # fmt: skip
def test_source_mixes_without_whole_fields_still_link(
    small_depok: Any, label: str, drop: tuple[str, ...], fields: set[str] | None, min_f1: float
) -> None:
    result = dtks_link.link(_mix(small_depok, drop_sources=drop, keep_fields=fields), write=False)
    assert len(result.pairs) > 0, label
    metrics = dtks_link.evaluate(result.clusters, pd.read_parquet(small_depok.truth_path))
    assert metrics.f1 >= min_f1, (label, metrics.summary())


def test_implausible_scores_fall_back_to_the_default_model_or_raise(
    small_depok: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dtks_link.model as model_module

    def ruin(linker: Any) -> list[str]:  # a model that learned nothing: every level neutral
        for comparison in linker._settings_obj.comparisons:
            for level in comparison.comparison_levels:
                if not level.is_null_level and not level._fix_m_probability:
                    level.m_probability = level.u_probability or 0.5
        return ["ruined"]

    monkeypatch.setattr(model_module, "calibrate", ruin)
    config = _mix(small_depok, drop_sources=("bencana", "lansia"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = dtks_link.link(config, write=False)
    assert any("implausible" in str(w.message) for w in caught)
    assert result.model.model_kind_ == "default"
    assert any("trained model rejected" in line for line in result.model.training_log_)
    assert "model: default" in result.summary()

    monkeypatch.setattr(model_module, "apply_default_parameters", lambda linker, **kw: ruin(linker) and {})
    with pytest.raises(TrainingError, match="implausible"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dtks_link.link(config, write=False)


def test_registry_started_from_the_default_model_answers_a_lookup(small_depok: Any, tmp_path: Path) -> None:
    from dtks_link.cli import main

    config = dtks_link.load_config(small_depok.config_path)
    dtks = pd.read_csv(small_depok.source_paths["dtks"], dtype=str, sep="|").head(50)
    batch = dataclasses.replace(config.source("dtks"), path=None, data=dtks)
    with dtks_link.Registry.init(tmp_path / "service.registry", model="default") as registry:
        assert registry.model_json is not None and registry.stats()["records"] == 0
        assert registry.match({"nama": "SITI AMINAH"}) == []
        registry.ingest(batch)
        row = dtks.iloc[0]
        hits = registry.match(
            {"nama": row["nama"], "nik": row["nomor_nik"], "tanggal_lahir": row["tanggal_lahir"]}
        )
        assert hits and hits[0].record_id == row["iddtks"] and hits[0].match_probability > 0.9
    assert main(["registry", "init", str(tmp_path / "cli.registry"), "--model", "default"]) == 0


# -- family members stay apart ----------------------------------------------------------------
def _family_sources() -> tuple[SourceConfig, ...]:
    """Two families, written by two departments. Household 1 (KK1, Jl Mawar 5): Budi (head),
    Siti (wife), twins Hasan and Husein, and two sisters registered with one birth date, Dewi
    and Rina. Household 2 (KK2, Jl Melati 9): a father and son both called Ahmad Fauzi."""
    kk1, kk2 = "3276010101100001", "3276010202100002"
    home1 = dict(
        no_kk=kk1, alamat="JL MAWAR NO 5", rt="3", rw="2", kelurahan="DEPOK JAYA", kecamatan="PANCORAN MAS"
    )
    home2 = dict(
        no_kk=kk2, alamat="JL MELATI NO 9", rt="1", rw="4", kelurahan="DEPOK JAYA", kecamatan="PANCORAN MAS"
    )
    people = {
        "budi": ("BUDI SANTOSO", dt.date(1970, 3, 12), "L", 1, home1),
        "siti": ("SITI AMINAH", dt.date(1975, 8, 20), "P", 2, home1),
        "hasan": ("HASAN BASRI", dt.date(2001, 5, 5), "L", 3, home1),
        "husein": ("HUSEIN BASRI", dt.date(2001, 5, 5), "L", 4, home1),
        "dewi": ("DEWI LESTARI", dt.date(2005, 1, 1), "P", 5, home1),
        "rina": ("RINA KARTIKA", dt.date(2005, 1, 1), "P", 6, home1),
        "ahmad": ("AHMAD FAUZI", dt.date(1960, 2, 2), "L", 7, home2),
        "ahmad_jr": ("AHMAD FAUZI", dt.date(1990, 7, 7), "L", 8, home2),
    }
    nik = {k: _nik(born, female=sex == "P", serial=s) for k, (_, born, sex, s, _) in people.items()}
    register = pd.DataFrame(
        [
            {"id": key, "nama": name, "nik": nik[key], "tanggal_lahir": born.strftime("%d-%m-%Y"),
             "jenis_kelamin": sex, **home}
            for key, (name, born, sex, _, home) in people.items()
        ]
    )  # fmt: skip
    aid = pd.DataFrame(
        [
            # the carer's aid record carries the head of family's NIK and no birth date or sex
            {"id": "carer_siti", "nama": "SITI AMINAH", "nik": nik["budi"], "tanggal_lahir": None, **home1},
            # the son's record carries his father's NIK but his own birth date
            {
                "id": "son_ahmad",
                "nama": "AHMAD FAUZI",
                "nik": nik["ahmad"],
                "tanggal_lahir": "07-07-1990",
                **home2,
            },
            # Budi's own aid record: one resident with his register record
            {
                "id": "budi_aid",
                "nama": "BUDI SANTOSO",
                "nik": nik["budi"],
                "tanggal_lahir": "12-03-1970",
                **home1,
            },
        ]
    )
    fields = [
        "nama",
        "nik",
        "tanggal_lahir",
        "jenis_kelamin",
        "no_kk",
        "alamat",
        "rt",
        "rw",
        "kelurahan",
        "kecamatan",
    ]
    return (
        SourceConfig(name="register", id_column="id", data=register, columns={f: f for f in fields}),
        SourceConfig(name="aid", id_column="id", data=aid,
                     columns={f: f for f in fields if f != "jenis_kelamin"}),
    )  # fmt: skip


@pytest.fixture(scope="module")
def family_clusters() -> dict[str, str]:
    result = dtks_link.link(LinkConfig(sources=_family_sources(), options=FAST), write=False)
    return dict(zip(result.clusters["record_id"], result.clusters["resident_id"], strict=True))


def test_a_carer_with_the_heads_nik_is_not_merged_with_the_head(family_clusters: dict[str, str]) -> None:
    assert family_clusters["carer_siti"] != family_clusters["budi"]
    assert family_clusters["budi_aid"] == family_clusters["budi"]  # the head's own records link


def test_twins_stay_two_residents(family_clusters: dict[str, str]) -> None:
    assert family_clusters["hasan"] != family_clusters["husein"]


def test_siblings_with_one_birth_date_and_different_names_stay_apart(family_clusters: dict[str, str]) -> None:
    assert family_clusters["dewi"] != family_clusters["rina"]


def test_a_father_and_son_with_one_name_stay_apart(family_clusters: dict[str, str]) -> None:
    assert family_clusters["ahmad"] != family_clusters["ahmad_jr"]
    assert family_clusters["son_ahmad"] != family_clusters["ahmad"]


def test_family_constraint_splits_a_component_holding_two_members() -> None:
    from dtks_link.clustering import greedy_constrained_clusters

    nodes = [("a", None, None), ("b", None, None), ("c", None, None)]
    edges = [("a", "b", 10.0), ("b", "c", 8.0)]
    mapping, refused = greedy_constrained_clusters(
        nodes, edges, max_cluster_size=10, cannot_link=[("a", "c")]
    )
    assert mapping["a"] == mapping["b"] != mapping["c"] and refused == 1


def _name(text: str) -> dict[str, Any]:
    from dtks_link.standardise.names import parse_name

    parsed = parse_name(text)
    return {"nama_key": parsed.key, "nama_clean": parsed.clean, "nama_tokens_key": parsed.tokens_key}


@pytest.mark.parametrize(
    ("left", "right", "conflict"),
    [
        ("SUSIE B LAKE", "LISA M LAKE", True),  # mother and daughter, no birth dates
        ("HARY J TOMAS", "HAROLD JAMES TOMAS", False),  # a nickname keeps the middle initial
        ("BENJAMIN C ALLEN", "BENJAMIN CHRISTOPHER ALLEN", False),  # the initial of CHRISTOPHER
        ("AHMAD FAUZI RAHMAN", "FAUZI AHMAD RAHMAN", False),  # words reordered
        ("DEWI LESTARI", "RINA LESTARI", False),  # no middle word: the birth dates must tell
    ],
)
def test_two_family_members_without_birth_dates_are_a_family_conflict(
    left: str, right: str, conflict: bool
) -> None:
    from dtks_link.comparisons.evidence import FAMILY_CONFLICT
    from dtks_link.rules import compile_pair

    home = {"street": "54 TWIN BROOK WAY", "house_number": None}
    decide = compile_pair({"conflict": FAMILY_CONFLICT})
    assert decide({**home, **_name(left)}, {**home, **_name(right)})["conflict"] is conflict
    elsewhere = {"street": "12 OAK ST", "house_number": None}
    assert decide({**home, **_name(left)}, {**elsewhere, **_name(right)})["conflict"] is False


def test_a_copied_identifier_does_not_chain_a_mother_and_daughter_without_birth_dates() -> None:
    """A tax file with no birth dates gives the daughter her mother's number: the scores chain
    the daughter's tax record to her mother's social-security record through it, and the
    mother's tax record to it. Clustering keeps the two members of the family apart."""
    from dtks_link.backends import connect
    from dtks_link.clustering import cluster_records
    from dtks_link.comparisons.evidence import FAMILY_COLUMNS

    people = [
        ("tax|susie", "SUSIE B LAKE", "54 TWIN BROOK WAY"),
        ("tax|lisa", "LISA M LAKE", "54 TWIN BROOK WAY"),
        ("ssa|susie", "SUSIE BETH LAKE", None),
    ]
    records = pd.DataFrame(
        [
            {**{c: None for c in FAMILY_COLUMNS}, "unique_id": key, "source": key.split("|")[0],
             "source_duplicate_free": False, "jenis_kelamin": None, "nik_sex": None, **_name(name),
             "street": street}
            for key, name, street in people
        ]
    )  # fmt: skip
    types = {"tanggal_lahir": "datetime64[ns]", "nik_birth_date": "datetime64[ns]", "nik_valid": "boolean",
             "source_duplicate_free": "boolean", "rt": "Int64", "rw": "Int64"}  # fmt: skip
    records = records.astype({c: types.get(c, "string") for c in records.columns})
    edges = pd.DataFrame(
        {
            "unique_id_l": ["ssa|susie", "ssa|susie"],
            "unique_id_r": ["tax|susie", "tax|lisa"],
            "match_weight": [12.0, 6.0],
            "match_probability": [0.9998, 0.985],
        }
    )
    con = connect()
    con.register("r", records)
    con.register("e", edges)
    con.execute("CREATE TABLE records AS SELECT * FROM r")
    con.execute("CREATE TABLE edges AS SELECT * FROM e")
    report = cluster_records(
        con, records_table="records", edges_table="edges", output_table="out", threshold=0.9,
        max_cluster_size=10,
    )  # fmt: skip
    cluster = dict(con.execute("SELECT unique_id, cluster_key FROM out").fetchall())
    assert cluster["tax|susie"] == cluster["ssa|susie"] != cluster["tax|lisa"]
    assert report.family_conflicts == 1 and report.edges_refused == 1


def test_the_registry_reads_every_column_the_family_constraint_needs() -> None:
    """Without one of them clustering leaves the family constraint out, silently."""
    from dtks_link.comparisons.evidence import FAMILY_COLUMNS
    from dtks_link.registry.decisions import NODE_COLUMNS

    assert set(FAMILY_COLUMNS) <= {c.strip() for c in NODE_COLUMNS.split(",")}


def test_the_household_name_level_weighs_the_shared_address_and_family_name_once(small_link: Any) -> None:
    """The residence level for two members' names at one household takes the u random pairs
    give the two facts together; its m makes the name level and it weigh, together,
    log2(m_household * m_name / u_joint). Where random pairs never show the pattern it weighs
    as the household levels would (the facts as if independent)."""
    from dtks_link.comparisons import COMPARISONS
    from dtks_link.training import levels as _levels

    levels = _levels(small_link.model.linker_)
    joint = next(lv for lv in COMPARISONS["alamat"].levels if lv.joint is not None)
    assert joint.joint is not None
    level = levels[("alamat", joint.label)]
    within = [levels[("alamat", label)] for label in joint.joint.within]
    m_within = sum(w.m_probability for w in within)
    counted = levels[joint.joint.counted]
    if level.u_probability == pytest.approx(sum(w.u_probability for w in within)):
        assert level.m_probability == pytest.approx(m_within)
    else:
        assert level.m_probability == pytest.approx(m_within * counted.u_probability)


# -- quality without truth, error analysis ----------------------------------------------------
def _pairs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"source_l": "s", "record_id_l": a, "source_r": "s", "record_id_r": b, "match_probability": p}
         for a, b, p in rows]
    )  # fmt: skip


def test_expected_quality_adds_up_probabilities() -> None:
    clusters = pd.DataFrame(
        {"source": "s", "record_id": list("abcde"), "resident_id": ["1", "1", "1", "2", "3"]}
    )
    pairs = _pairs([("a", "b", 0.9), ("b", "c", 0.95), ("d", "e", 0.5)])
    q = expected_quality(pairs, clusters, threshold=0.9)
    # linked pairs: ab, bc, ac (ac never scored: the mean 0.925 of its cluster stands in)
    assert q.predicted_pairs == 3 and q.unscored_cluster_pairs == 1
    assert q.expected_true_positives == pytest.approx(0.9 + 0.95 + 0.925)
    assert q.expected_true_pairs == pytest.approx(0.9 + 0.95 + 0.925 + 0.5)
    assert q.precision == pytest.approx(2.775 / 3) and q.recall == pytest.approx(2.775 / 3.275)
    assert "expected pairwise precision" in q.summary()


def test_link_reports_its_expected_quality_close_to_the_measured(small_link: Any, small_depok: Any) -> None:
    expected = small_link.counts["expected_quality"]
    measured = dtks_link.evaluate(small_link.clusters, small_depok.truth_path)
    assert abs(expected.precision - measured.precision) < 0.05
    assert "expected pairwise precision" in small_link.summary()


def test_errors_by_source_pair_and_pattern_with_masked_examples() -> None:
    clusters = pd.DataFrame({"source": ["a", "b", "a", "b"], "record_id": ["1", "1", "2", "2"],
                             "resident_id": ["X", "X", "Y", "Z"]})  # fmt: skip
    truth = pd.DataFrame({"source": ["a", "b", "a", "b"], "record_id": ["1", "1", "2", "2"],
                          "true_id": ["P", "Q", "R", "R"]})  # fmt: skip
    records = pd.DataFrame(
        {"source": ["a", "b", "a", "b"], "record_id": ["1", "1", "2", "2"],
         "nik": ["3276015203750002", "3276011203700001", "3276010505010003", None],
         "nik_valid": [True, True, True, None],
         "nama_key": ["SITIAMINAH", "BUDISANTOSO", "HASANBASRI", "HASANBASRI"],
         "nama_tokens_key": ["SITI AMINAH", "BUDI SANTOSO", "HASAN BASRI", "HASAN BASRI"],
         "nama_clean": ["SITI AMINAH", "BUDI SANTOSO", "HASAN BASRI", "HASAN BASRI"]}
    )  # fmt: skip
    metrics = dtks_link.evaluate(clusters, truth)
    report = metrics.errors(pairs=_pairs([]).assign(source_l="a", source_r="b"), records=records)
    kinds = report.pairs.set_index(["record_id_l", "record_id_r"])["kind"].to_dict()
    assert kinds == {("1", "1"): "false merge", ("2", "2"): "missed link"}
    assert report.by_source_pair[["false_merges", "missed_links"]].sum().tolist() == [1, 1]
    merge = report.pairs[report.pairs.kind == "false merge"].iloc[0]
    assert merge["nama"] == "All other comparisons" and "nik: All other comparisons" in merge["pattern"]
    shown = report.examples.to_string()
    assert "3276015203750002" not in shown and "3276********0002" in shown
    assert "false merges: 1 pairs; missed links: 1 pairs" in report.summary()


def test_cli_evaluate_lists_errors_with_masked_examples(
    small_link: Any, small_depok: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from dtks_link.cli import main

    clusters = small_link.output_dir / "clusters.parquet"
    argv = ["evaluate", "--clusters", str(clusters), "--truth", str(small_depok.truth_path), "--errors"]
    assert main([*argv, "--config", str(small_depok.config_path)]) == 0
    out = capsys.readouterr().out
    assert "false merges:" in out and "by source pair:" in out and "most frequent comparison patterns:" in out
    niks = pd.read_csv(small_depok.source_paths["dukcapil"], dtype=str)["NIK"].dropna()
    assert not any(nik in out for nik in niks)


def test_the_packaged_default_model_is_current() -> None:
    """The shipped default model holds every comparison with today's levels and SQL (else
    retrain it: ``python -m dtks_link.default_model src/dtks_link/data/default_model.json``)."""
    from dtks_link.comparisons import COMPARISONS
    from dtks_link.default_model import default_model_info, default_settings

    settings = default_settings()
    shipped = {c["output_column_name"]: c for c in settings["comparisons"]}
    assert set(shipped) == set(COMPARISONS)
    for name, spec in COMPARISONS.items():
        levels = shipped[name]["comparison_levels"]
        assert [lv.get("label_for_charts") for lv in levels[:-1]] == [lv.label for lv in spec.levels[:-1]]
        assert [lv["sql_condition"] for lv in levels[:-1]] == [lv.sql for lv in spec.levels[:-1]], name
    info = default_model_info()
    assert info["residents"] >= 10_000 and "python -m dtks_link.default_model" in info["command"]


def test_the_household_session_changes_only_the_borrowed_identifier_levels(
    small_depok: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Splink swaps the linker's settings for the session's copy after each EM session: the
    household session must undo its m estimates on the model's current level objects, not on
    those it saw before (which once left every level with the household pairs' m)."""
    from dtks_link.comparisons import COMPARISONS
    from dtks_link.model import ResidentModel
    from dtks_link.training import levels

    borrowed = {(spec.name, lv.label) for spec in COMPARISONS.values() for lv in spec.levels if lv.u_like}
    original = ResidentModel._household_session
    seen: dict[str, dict[tuple[str, str], float]] = {}

    def wrapped(self: ResidentModel, linker: Any, *args: Any) -> None:
        seen["before"] = {k: lv.m_probability for k, lv in levels(linker).items()}
        original(self, linker, *args)
        seen["after"] = {k: lv.m_probability for k, lv in levels(linker).items()}

    monkeypatch.setattr(ResidentModel, "_household_session", wrapped)
    result = dtks_link.link(_mix(small_depok, drop_sources=("bencana",)), write=False)
    assert any("for the borrowed-identifier levels only" in line for line in result.model.training_log_)
    kept = [k for k in seen["before"] if k not in borrowed and seen["before"][k] is not None]
    assert kept
    for key in kept:
        assert seen["after"][key] == pytest.approx(seen["before"][key], rel=1e-9), key
    assert any(seen["after"][k] != seen["before"][k] for k in borrowed if k in seen["after"])
