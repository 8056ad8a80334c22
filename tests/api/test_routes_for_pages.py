"""The API additions the pages need: the code in a read, the problem filter, the worst element as data, and
multipart uploads (`curl -F code=@file.py`)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import account, submit
from tests.api.submissions import CORRECT, WRONG


def test_the_owner_and_admins_read_the_code(service: TestClient) -> None:
    owner = account(service)
    created = submit(service, owner, code=CORRECT).json()
    assert service.get(f"/submissions/{created['id']}", headers=owner).json()["code"] == CORRECT
    assert service.get(f"/submissions/{created['id']}", headers=account(service, "admin")).json()["code"] == CORRECT
    assert service.get(f"/submissions/{created['id']}", headers=account(service)).status_code == 404


def test_the_list_filters_by_problem(service: TestClient) -> None:
    owner = account(service)
    submit(service, owner, wait=False)
    submit(service, owner, code="def bleu(*a):\n    return 0.0\n", problem="bleu", wait=False)
    everything = service.get("/submissions", headers=owner).json()["items"]
    only_bleu = service.get("/submissions?problem=bleu", headers=owner).json()["items"]
    assert {item["problem"] for item in everything} == {"cross-attention", "bleu"}
    assert [item["problem"] for item in only_bleu] == ["bleu"]


def test_the_worst_element_is_data_with_values_only_for_public_cases(service: TestClient) -> None:
    result = submit(service, account(service), code=WRONG).json()
    wrong = [case for case in result["cases"] if case["verdict"] == "Wrong Answer"]
    public = [case for case in wrong if case["public"]]
    hidden = [case for case in wrong if not case["public"]]
    assert public
    assert hidden
    for case in wrong:
        worst = case["worst_at"]
        assert len(worst["index"]) == len(worst["axes"]) == len(case["shapes"]["decoder_x"])
        assert all(0 <= i < n for i, n in zip(worst["index"], case["shapes"]["decoder_x"], strict=True))
        assert worst["axes"][0] == "batch"
    for case in public:
        assert isinstance(case["worst_at"]["expected"], float)
        assert case["worst_at"]["expected"] != case["worst_at"]["got"]
    for case in hidden:
        assert case["worst_at"]["expected"] is None
        assert case["worst_at"]["got"] is None
    accepted = submit(service, account(service), code=CORRECT).json()
    assert all(case["worst_at"] is None for case in accepted["cases"])


def test_a_multipart_upload_is_graded_like_json(service: TestClient) -> None:
    headers = account(service)
    answer = service.post("/submissions?wait=true", headers=headers,
                          files={"code": ("block.py", CORRECT.encode(), "text/x-python")},
                          data={"problem": "cross-attention", "timing": "false"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "Accepted"
    assert answer.json()["code"] == CORRECT
    as_text = service.post("/submissions", headers=headers, files={"unused": ("x", b"", "text/plain")},
                           data={"problem": "cross-attention", "code": CORRECT, "timing": "false"})
    assert as_text.status_code == 202, as_text.text


def test_a_bad_upload_gets_a_sentence(service: TestClient) -> None:
    headers = account(service)
    cases = [
        ({"code": ("a.py", b"\xff\xfe", "text/plain")}, {"problem": "cross-attention"}, 422, "UTF-8"),
        ({"code": ("a.py", b"x = 1\n", "text/plain")}, {}, 422, "problem"),
        ({"other": ("a.py", b"x = 1\n", "text/plain")}, {"problem": "cross-attention"}, 422, "code"),
        ({"code": ("a.py", b"x\x00", "text/plain")}, {"problem": "cross-attention"}, 422, "NUL"),
        ({"code": ("a.py", b"x = 1\n", "text/plain")}, {"problem": "nope"}, 404, "unknown problem"),
        ({"code": ("a.py", b"x" * (64 * 1024 + 1), "text/plain")}, {"problem": "cross-attention"}, 413, "bytes"),
    ]
    before = len(service.get("/submissions?limit=100", headers=headers).json()["items"])
    for files, data, status, words in cases:
        answer = service.post("/submissions", headers=headers, files=files, data=data)
        assert answer.status_code == status, (files, answer.text)
        assert words in str(answer.json()["detail"])
    assert len(service.get("/submissions?limit=100", headers=headers).json()["items"]) == before
