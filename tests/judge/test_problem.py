"""Loading problem folders: every real one loads; every malformed one fails naming file and field."""

from __future__ import annotations

import ast
import inspect
import os
import re
import shutil
import tomllib
from dataclasses import replace

import pytest

from judge.problem import (
    DEFAULT_PROBLEMS_DIR,
    Argument,
    Problem,
    ProblemError,
    UnknownProblem,
    catalogue,
    discover,
    get_problem,
    load_problem,
)

PROBLEMS = discover()
TEMPLATE = DEFAULT_PROBLEMS_DIR / "cross-attention"


# ---- the real problems --------------------------------------------------------------------------------------------


def test_every_problem_folder_loads():
    folders = {p.name for p in DEFAULT_PROBLEMS_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders, "no problem folders"
    assert set(PROBLEMS) == folders
    assert "cross-attention" in PROBLEMS
    for slug, problem in PROBLEMS.items():
        assert isinstance(problem, Problem)
        assert problem.slug == slug
        assert problem.folder == DEFAULT_PROBLEMS_DIR / slug
        assert problem.statement_path.is_file()
        assert problem.starter_path.is_file()


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_manifest_references_resolve_and_match_the_arguments(slug):
    problem = PROBLEMS[slug]
    params = inspect.signature(problem.reference_function()).parameters
    if [p.kind for p in params.values()] != [inspect.Parameter.VAR_KEYWORD]:  # reference(**inputs) takes any
        assert list(params) == [a.name for a in problem.arguments]
        for arg in problem.arguments:
            assert (params[arg.name].default is None) == arg.optional, arg.name
    assert list(inspect.signature(problem.code.variant).parameters) == ["params", "inputs", "dtype"]
    assert callable(problem.torch_function())
    flops = problem.flops_at(problem.benchmark_dims)
    assert flops is None or flops > 0  # optional: a count only where it means something


@pytest.mark.parametrize("slug", sorted(PROBLEMS))
def test_signature_renders_as_python_and_matches_the_starter(slug):
    problem = PROBLEMS[slug]
    signature = problem.signature()
    assert signature.startswith(f"def {problem.entry_point}(")
    assert signature.endswith("):")
    func = ast.parse(signature + "\n    pass\n").body[0]
    assert isinstance(func, ast.FunctionDef)
    names = [a.arg for a in func.args.args]
    assert names == [a.name for a in problem.arguments]
    optional = [a.name for a in problem.arguments if a.optional]
    assert names[len(names) - len(func.args.defaults):] == optional
    assert all(isinstance(d, ast.Constant) and d.value is None for d in func.args.defaults)
    starter = ast.parse(problem.starter_path.read_text(encoding="utf-8"))
    defs = [n for n in starter.body if isinstance(n, ast.FunctionDef) and n.name == problem.entry_point]
    assert len(defs) == 1, f"{problem.starter_path} does not define {problem.entry_point}"
    assert ast.dump(defs[0].args) == ast.dump(func.args)


def test_signature_of_cross_attention():
    assert PROBLEMS["cross-attention"].signature() == (
        "def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):"
    )


def test_signature_marks_optional_arguments():
    problem = PROBLEMS["cross-attention"]
    mask = Argument("mask", "padding_mask", ("N", "T_enc"), keys_of="encoder_out", optional=True)
    assert replace(problem, arguments=(*problem.arguments, mask)).signature().endswith(", num_heads, mask=None):")


# ---- get_problem ---------------------------------------------------------------------------------------------------


def test_get_problem_returns_the_loaded_problem():
    for slug, problem in PROBLEMS.items():
        assert get_problem(slug) == problem


@pytest.mark.parametrize("slug", ["no-such-problem", "Cross-Attention", "../cross-attention", "", "cross_attention"])
def test_get_problem_of_an_unknown_slug_lists_the_known_ones(slug):
    with pytest.raises(UnknownProblem) as info:
        get_problem(slug)
    message = str(info.value)
    assert repr(slug) in message
    for known in PROBLEMS:
        assert known in message


def test_get_problem_in_an_empty_root_says_none(tmp_path):
    with pytest.raises(UnknownProblem, match="none"):
        get_problem("cross-attention", root=tmp_path)


# ---- malformed folders ---------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """A private copy of the cross-attention problem, to break."""
    target = tmp_path / "problems" / "cross-attention"
    shutil.copytree(TEMPLATE, target)
    return target


def _edit(folder, pattern, replacement, *, after=None):
    """Replace the first match of `pattern` (after the first match of `after`, if given) in problem.toml."""
    path = folder / "problem.toml"
    text = path.read_text(encoding="utf-8")
    start = 0 if after is None else re.search(after, text, flags=re.M).end()
    head, tail = text[:start], text[start:]
    new_tail, count = re.subn(pattern, replacement, tail, count=1, flags=re.M)
    assert count == 1, f"the template no longer has {pattern!r}; update this test"
    path.write_text(head + new_tail, encoding="utf-8")
    return path


def _manifest(folder):
    return tomllib.loads((folder / "problem.toml").read_text(encoding="utf-8"))


def _fails(folder, *fragments):
    with pytest.raises(ProblemError) as info:
        load_problem(folder)
    message = str(info.value)
    for fragment in fragments:
        assert str(fragment) in message, f"{fragment!r} not in {message!r}"
    return message


def test_the_untouched_copy_loads(folder):
    problem = load_problem(folder)
    assert problem.slug == "cross-attention"
    assert problem.cases == PROBLEMS["cross-attention"].cases


def test_missing_title(folder):
    path = _edit(folder, r"^title = .*\n", "")
    _fails(folder, path, "'title'", "missing")


@pytest.mark.parametrize("bad", ['"11"', "true", "1.5"])
def test_seed_of_the_wrong_type(folder, bad):
    path = _edit(folder, r"^seed = \d+", f"seed = {bad}")
    _fails(folder, path, "'cases[0].seed'", "expected an integer")


def test_unknown_top_level_field(folder):
    path = folder / "problem.toml"
    path.write_text('colour = "red"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    _fails(folder, path, "'colour'", "unknown field")


def test_unknown_field_in_a_case(folder):
    path = _edit(folder, r"^seed = (\d+)", r"seed = \1\nsead = 3")
    _fails(folder, path, "'cases[0].sead'", "unknown field")


def test_unknown_argument_kind(folder):
    index = [a["kind"] for a in _manifest(folder)["arguments"]].index("weight")
    path = _edit(folder, r'^kind = "weight"', 'kind = "tensor"')
    _fails(folder, path, f"'arguments[{index}].kind'", "'tensor'")


def test_case_missing_a_dim(folder):
    dims = dict(_manifest(folder)["cases"][0]["dims"])
    del dims["d"]
    inline = ", ".join(f"{k} = {v}" for k, v in dims.items())
    path = _edit(folder, r"^dims = \{.*\}$", f"dims = {{ {inline} }}", after=r"^\[\[cases\]\]")
    _fails(folder, path, "'cases[0].dims'", "missing dim(s) ['d']")


def test_case_with_a_zero_dim(folder):
    path = _edit(folder, r"N = \d+", "N = 0", after=r"^\[\[cases\]\]")
    _fails(folder, path, "'cases[0].dims.N'", "positive integer")


def test_case_with_unknown_padding(folder):
    path = _edit(folder, r"^seed = (\d+)", r'seed = \1\npadding = "some"')
    _fails(folder, path, "'cases[0].padding'", "'some'")


def test_a_manifest_that_still_names_its_reference_is_told_where_the_code_lives(folder):
    path = folder / "problem.toml"
    path.write_text('reference = "reference.blocks:cross_attention_block"\n' + path.read_text(encoding="utf-8"),
                    encoding="utf-8")
    _fails(folder, path, "'reference'", "reference.py")


def test_a_reference_that_does_not_import_is_named(folder):
    (folder / "reference.py").write_text("from reference.blocks import no_such_block as reference\n")
    with pytest.raises(ProblemError, match=r"reference\.py: does not import: ImportError"):
        load_problem(folder)


def test_a_reference_without_the_function_is_named(folder):
    (folder / "reference.py").write_text("def refrence(**inputs):\n    return None\n")
    with pytest.raises(ProblemError, match=r"reference\.py: defines no function reference\(\)"):
        load_problem(folder)


@pytest.mark.parametrize("body", ["", "def baselin(**inputs):\n    pass\n", "def baseline(:\n"])
def test_a_baseline_that_defines_no_baseline_is_named_without_importing_torch(folder, body):
    (folder / "baseline.py").write_text(body)
    with pytest.raises(ProblemError, match=r"baseline\.py: defines no function baseline\(\)"):
        load_problem(folder)


def test_mistakes_listed_without_a_mistakes_module(folder):
    (folder / "mistakes.py").unlink()
    with pytest.raises(ProblemError, match=r"mistakes\.py: missing"):
        load_problem(folder)


def test_an_edited_reference_is_loaded_afresh(folder):
    first = load_problem(folder).code.in_float32  # defined in the folder's module itself
    path = folder / "reference.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    second = load_problem(folder).code.in_float32
    assert first is not second
    assert first.__module__ != second.__module__
    assert load_problem(folder).code.in_float32 is second  # unchanged content: the same module, not reloaded


def test_mistake_with_an_unknown_recipe_field(folder):
    path = _edit(folder, r"^recipe = \{.*\}$", "recipe = { scale_scorez = false }")
    _fails(folder, path, "'mistakes[0].recipe'", "scale_scorez")


@pytest.mark.parametrize(("fit", "fragments"), [
    ("{ layer_norm_eps = { range = [1.0, 1e-3] } }", ["'mistakes[0].fit.layer_norm_eps.range'", "0 < low < high"]),
    ("{ layer_norm_eps = { range = [0, 1] } }", ["0 < low < high"]),
    ("{ layer_norm_eps = { choices = [] } }", ["'mistakes[0].fit.layer_norm_eps.choices'", "non-empty"]),
    ("{ layer_norm_eps = { between = [1, 2] } }", ["layer_norm_eps.between'", "unknown field"]),
    ("{ layer_norm_eps = { range = [1e-9, 1.0] }, scale_by_d_model = { range = [1.0, 2.0] } }",
     ["at most one fitted range"]),
    ("{ activation = { choices = ['gelu', 'swish'] } }", ["'mistakes[0].recipe'", "activation"]),
])
def test_a_malformed_fit_is_named(folder, fit, fragments):
    path = _edit(folder, r"^(recipe = \{.*\})$", rf"\1\nfit = {fit}")
    _fails(folder, path, *fragments)


def test_a_hint_may_name_only_fitted_values(folder):
    path = _edit(folder, r'^hint = "The scores were not divided.*$', 'hint = "eps {layer_norm_eps:.1g}"')
    _fails(folder, path, "'mistakes[0].hint'", "not fitted")


def test_an_unknown_detector_is_named(folder):
    path = _edit(folder, r"^(recipe = \{.*\})$", r'\1\ndetect = "telepathy"')
    _fails(folder, path, "'mistakes[0].detect'", "telepathy", "repeat")


def test_invalid_toml(folder):
    path = folder / "problem.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\nthis is = = not toml\n", encoding="utf-8")
    _fails(folder, path, "not valid TOML")


def test_missing_manifest(folder):
    (folder / "problem.toml").unlink()
    _fails(folder, folder / "problem.toml", "missing")


@pytest.mark.parametrize("name", ["statement.md", "starter.py"])
def test_missing_statement_or_starter(folder, name):
    (folder / name).unlink()
    _fails(folder, folder / name, "missing")


@pytest.mark.parametrize("name", ["Cross_Attention", "cross attention", "-cross", "cross--attention"])
def test_folder_name_that_is_not_a_slug(folder, name):
    renamed = folder.rename(folder.parent / name)
    _fails(renamed, renamed, "not a slug", repr(name))


def test_output_axes_must_name_every_output_dim(folder):
    path = _edit(folder, r"^axes = \[.*\]$", 'axes = ["batch", "position"]')
    _fails(folder, path, "'output.axes'")


def test_a_broken_folder_is_listed_with_its_reason_and_hidden_ones_are_skipped(folder):
    root = folder.parent
    (root / "_drafts").mkdir()
    (root / ".cache").mkdir()
    shutil.copytree(folder, root / "second-block")
    assert set(discover(root)) == {"cross-attention", "second-block"}
    _edit(folder, r"^title = .*\n", "")
    found = catalogue(root)
    assert set(found.problems) == {"second-block"}  # the broken folder harms no other
    assert list(found.broken) == [str(folder)]
    assert "field 'title': missing" in found.broken[str(folder)]
    with pytest.raises(ProblemError, match="title"):
        get_problem("cross-attention", root)  # asked for by name, it says why


def test_a_missing_root_is_reported_not_raised(tmp_path):
    found = catalogue(tmp_path / "nowhere")
    assert found.problems == {}
    assert "does not exist" in found.broken[str(tmp_path / "nowhere")]


def test_several_roots_are_searched_in_order_and_a_shadowed_slug_is_reported(folder, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(folder, course / "cross-attention")
    shutil.copytree(folder, course / "course-block")
    roots = os.pathsep.join([str(folder.parent), str(course)])
    found = catalogue(roots)
    assert found.problems["cross-attention"].folder == folder
    assert found.problems["course-block"].folder == course / "course-block"
    assert "shadowed by" in found.broken[str(course / "cross-attention")]
    assert get_problem("course-block", roots).folder == course / "course-block"


def test_an_overlong_slug_is_unknown_not_a_file_system_error():
    from judge.problem import UnknownProblem, get_problem

    with pytest.raises(UnknownProblem):
        get_problem("a" * 300)


def test_the_expected_outputs_follow_an_edited_in_float32(folder):
    """The cache of expected outputs is keyed by reference.py's content, not only by the function it names."""
    from judge.cases import make_cases
    from judge.expected import expected_for

    case = make_cases(load_problem(folder), "edit")[0]
    before = expected_for(load_problem(folder), case).tolerance
    path = folder / "reference.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n\n_first = in_float32\n\n\n"
                    "def in_float32(**inputs):\n    return 1.001 * _first(**inputs)\n", encoding="utf-8")
    assert expected_for(load_problem(folder), case).tolerance > before


def test_the_folder_signature_follows_graded_files_and_ignores_solutions(folder):
    from judge.problem_code import folder_signature

    before = folder_signature(folder)
    (folder / "solutions" / "correct" / "another.py").write_text("x = 1\n", encoding="utf-8")
    assert folder_signature(folder) == before
    (folder / "statement.md").write_text("edited\n", encoding="utf-8")
    assert folder_signature(folder) != before
