"""Suppression comments (`# warmplan: ignore[...]`, `# warmplan: ignore-file[...]`) and
WP116, the finding for a suppression that silences nothing."""

from __future__ import annotations

import subprocess

from typer.testing import CliRunner

from warmplan.cli.main import app
from warmplan.lint.runner import check_file, check_paths

runner = CliRunner()

#: WP102 at line 3 (a warm-up from LR 0: one wasted update per step of an epoch) and
#: WP106 at line 4 (T_max 10 of a 16-epoch decay: the cosine comes back up)
PLAN = """\
optimizer: {kind: sgd, lr: 0.1}
training: {epochs: 20}
warmup: {kind: linear, length: 4, start_factor: 0.0}%s
decay: {kind: cosine, T_max: 10, eta_min: 0.001}%s
"""


def plan(tmp_path, text: str, name: str = "plan.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def found(path: str, **options) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in check_file(path, **options).findings]


def test_without_comments_the_plan_has_its_two_findings(tmp_path):
    assert found(plan(tmp_path, PLAN % ("", ""))) == [("WP102", 3), ("WP106", 4)]


def test_an_ignore_file_comment_on_its_own_line_silences_its_codes_everywhere(tmp_path):
    path = plan(tmp_path, "# warmplan: ignore-file[WP102, wp106]\n" + PLAN % ("", ""))
    assert found(path) == []


def test_an_ignore_file_after_a_value_silences_nothing_and_says_so(tmp_path):
    path = plan(tmp_path, PLAN % ("  # warmplan: ignore-file[WP106]", ""))
    result = check_file(path)
    assert [(f.code, f.line, f.col) for f in result.findings] == [
        ("WP102", 3, 35),
        ("WP116", 3, 55),
        ("WP106", 4, 23),
    ]
    assert "must stand on a line of its own" in result.findings[1].message


def test_several_codes_on_a_line_each_silence_their_own(tmp_path):
    path = plan(
        tmp_path, PLAN % ("  # warmplan: ignore[WP102,WP106]", "  # warmplan: ignore[WP106]")
    )
    result = check_file(path)
    # WP102 is used on line 3; WP106 of line 3 silenced nothing (its finding is on line 4)
    assert [(f.code, f.line, f.col) for f in result.findings] == [("WP116", 3, 55)]
    assert result.findings[0].severity == "warning"
    assert result.findings[0].message == (
        "`# warmplan: ignore[WP102, WP106]` silences nothing: no WP106 finding on line 3; "
        "remove WP106 from it"
    )


def test_an_unknown_code_and_a_misspelt_form_are_reported(tmp_path):
    path = plan(
        tmp_path, PLAN % ("  # warmplan: ignore[WP102, WP1060]", "  # warmplan: ignroe[WP106]")
    )
    result = check_file(path)
    assert [(f.code, f.line) for f in result.findings] == [
        ("WP116", 3),
        ("WP106", 4),
        ("WP116", 4),
    ]
    assert "names WP1060, which is no code of warmplan check" in result.findings[0].message
    assert "is not a suppression warmplan reads" in result.findings[2].message


def test_a_stale_file_wide_suppression_is_reported_where_it_is_written(tmp_path):
    path = plan(tmp_path, PLAN % ("", "") + "# warmplan: ignore-file[WP109]\n")
    assert found(path) == [("WP102", 3), ("WP106", 4), ("WP116", 5)]


def test_ignoring_wp116_silences_the_reports_and_ignore_file_too(tmp_path):
    text = PLAN % ("", "  # warmplan: ignore[WP109]")
    assert ("WP116", 4) in found(plan(tmp_path, text))
    assert found(plan(tmp_path, text), ignore={"WP116"}) == [("WP102", 3), ("WP106", 4)]
    path = plan(tmp_path, "# warmplan: ignore-file[WP116]\n" + text)
    assert found(path) == [("WP102", 4), ("WP106", 5)]


def test_a_suppression_of_a_rule_that_did_not_run_is_not_judged(tmp_path):
    """--ignore WP106 (or the plan's ignore:) means WP106 never ran: its comment cannot
    be known to be stale."""
    text = PLAN % ("", "  # warmplan: ignore[WP106]")
    assert found(plan(tmp_path, text)) == [("WP102", 3)]  # used
    text = PLAN % ("", "  # warmplan: ignore[WP109]")
    assert found(plan(tmp_path, text), ignore={"WP109"}) == [("WP102", 3), ("WP106", 4)]
    assert found(plan(tmp_path, text + "ignore: [WP109]\n")) == [("WP102", 3), ("WP106", 4)]


def test_a_file_that_does_not_load_gets_no_stale_reports(tmp_path):
    path = plan(tmp_path, "optimizer: {kind: sgd, lr: 0.1}  # warmplan: ignore[WP109]\n")
    assert found(path) == [("WP005", 1)]  # no training: the rules never ran


def test_a_load_problem_is_never_silenced_so_a_broken_file_never_passes(tmp_path):
    path = plan(tmp_path, "optimizer: {kind: sgd, lr: 0.1}  # warmplan: ignore[WP005]\n")
    result = check_file(path)
    assert [(f.code, f.line) for f in result.findings] == [("WP005", 1), ("WP116", 1)]
    assert "WP005, a problem reading the file, which no comment silences" in (
        result.findings[1].message
    )
    assert check_paths([path]).failed()


def test_json_has_no_comments_so_per_file_ignores_and_ignore_do_it(tmp_path):
    text = (
        '{"optimizer": {"kind": "sgd", "lr": 0.1}, "training": {"epochs": 20},\n'
        ' "decay": {"kind": "cosine", "T_max": 10, "eta_min": 0.001}}\n'
    )
    path = plan(tmp_path, text, "plan.json")
    assert found(path) == [("WP106", 2)]
    from warmplan.lint.pyproject import Settings

    settings = Settings(root=tmp_path, per_file_ignores={"*.json": ["WP106"]})
    assert check_paths([path], settings=settings).findings == []


def test_end_to_end_in_a_git_repository_with_a_pyproject_and_comments(tmp_path, monkeypatch):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "trainer"\n\n[tool.warmplan]\nstrict = true\n'
        'per-file-ignores = { "configs/legacy/*.yaml" = ["WP106"] }\n'
    )
    (tmp_path / "configs" / "legacy").mkdir(parents=True)
    plan(tmp_path / "configs" / "legacy", PLAN % ("  # warmplan: ignore[WP102]", ""))
    plan(tmp_path / "configs", "# warmplan: ignore-file[WP102]\n" + PLAN % ("", ""), "new.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "configs"])
    assert result.exit_code == 1
    first, summary = result.stdout.splitlines()
    # legacy/ is silenced by the table, new.yaml's WP102 by its comment: new.yaml's WP106
    # alone, at its line (under the comment line), failing the check
    assert first.startswith("configs/new.yaml:5:23: error: decay.T_max is 10 but the decay ")
    # the cosine's period is T_max = 10 from epoch 4: at the last epoch, 19, it is 15 into
    # it, 0.001 + (0.1 - 0.001) (1 + cos(1.5 pi)) / 2 = 0.0505
    assert "to 0.0505 at the end" in first and first.endswith("[WP106]")
    assert summary == "2 plans checked: 1 error, 0 warnings"
    (tmp_path / "configs" / "new.yaml").write_text(
        "# warmplan: ignore-file[WP102, WP106]\n" + PLAN % ("", "")
    )
    result = runner.invoke(app, ["check", "configs"])
    assert result.exit_code == 0, result.stdout
