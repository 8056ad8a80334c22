"""Problem folders load; a malformed one fails loudly, naming the file and the field."""

import shutil
from pathlib import Path

import pytest

from judge.problem import DEFAULT_PROBLEMS_DIR, ProblemError, UnknownProblem, discover, get_problem, load_problem


@pytest.fixture
def problem_copy(tmp_path: Path) -> Path:
    target = tmp_path / "cross-attention"
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", target)
    return target


def _edit(folder: Path, old: str, new: str) -> None:
    manifest = folder / "problem.toml"
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))


def test_every_problem_folder_loads():
    problems = discover()
    assert set(problems) == {"cross-attention", "encoder-layer", "decoder-layer"}
    for problem in problems.values():
        assert problem.cases
        assert problem.mistakes
        assert problem.statement_path.is_file()


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('title = "Post-LN cross-attention block"\n', "", "title"),
        ("seed = 11", 'seed = "eleven"', "cases[0].seed"),
        ('entry_point = "cross_attention_block"', 'entry_point = "cross_attention_block"\ncolour = "red"', "colour"),
        ('kind = "activation"', 'kind = "tensor"', "arguments[0].kind"),
        ("dims = { N = 2, T_dec = 3, T_enc = 5, d = 8, h = 2 }", "dims = { N = 2, T_dec = 3, d = 8, h = 2 }",
         "cases[0].dims"),
        ('reference = "reference.blocks:cross_attention_block"', 'reference = "reference.blocks:nope"', "reference"),
        ("recipe = { scale_scores = false }", "recipe = { scale_keys = false }", "mistakes[0].recipe"),
        ("dims = { N = 2, T_dec = 3, T_enc = 5, d = 8, h = 2 }", "dims = { N = 0, T_dec = 3, T_enc = 5, d = 8, h = 2 }",
         "cases[0].dims.N"),
    ],
)
def test_malformed_manifest_names_file_and_field(problem_copy, old, new, field):
    _edit(problem_copy, old, new)
    with pytest.raises(ProblemError) as raised:
        load_problem(problem_copy)
    message = str(raised.value)
    assert str(problem_copy / "problem.toml") in message
    assert f"'{field}" in message


def test_invalid_toml_names_the_file(problem_copy):
    (problem_copy / "problem.toml").write_text("title = [unclosed\n")
    with pytest.raises(ProblemError, match="not valid TOML"):
        load_problem(problem_copy)


def test_missing_statement_is_named(problem_copy):
    (problem_copy / "statement.md").unlink()
    with pytest.raises(ProblemError, match=r"statement\.md: missing"):
        load_problem(problem_copy)


def test_folder_name_must_be_a_slug(tmp_path):
    shutil.copytree(DEFAULT_PROBLEMS_DIR / "cross-attention", tmp_path / "Cross_Attention")
    with pytest.raises(ProblemError, match="not a slug"):
        load_problem(tmp_path / "Cross_Attention")


def test_unknown_slug_lists_the_known_ones():
    with pytest.raises(UnknownProblem, match="known problems: cross-attention, decoder-layer, encoder-layer"):
        get_problem("self-attention")


def test_discover_fails_on_any_malformed_folder(tmp_path, problem_copy):
    _edit(problem_copy, "seed = 11", "seed = -")
    with pytest.raises(ProblemError):
        discover(tmp_path)


def test_signature_lists_optional_masks_last():
    assert get_problem("encoder-layer").signature() == (
        "def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):"
    )
