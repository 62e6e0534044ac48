"""``kind: artifact``: a handed-in file exists, is a regular file, is big enough and really is a PDF/PNG."""
from __future__ import annotations

import os
from pathlib import Path

from tests.checks.conftest import make_spec, observed, plan_of, score

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
PLOT = {"file": "question2_result.pdf", "format": "pdf"}


def judged(folder: Path, **fields):
    """Score the artifact check on the submission ``folder`` (the PDF check unless ``fields`` say otherwise)."""
    return score(make_spec("artifact", **{**PLOT, **fields}), observed(module_file="question2.py"), folder=folder)


def hand_in(folder: Path, name: str, data: bytes) -> Path:
    """Put a file of the student's into the submission folder."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_nothing_runs():
    plan = plan_of(make_spec("artifact", **PLOT))
    assert plan.student == [] and plan.reference == []


def test_a_real_pdf_earns_full_marks(tmp_path):
    hand_in(tmp_path, "question2_result.pdf", PDF)
    verdict = judged(tmp_path)
    assert (verdict.fraction, verdict.message) == (1.0, f"question2_result.pdf is present ({len(PDF)} bytes)")


def test_a_missing_file_and_near_misses_by_name(tmp_path):
    assert judged(tmp_path).message == "question2_result.pdf is missing"
    hand_in(tmp_path, "Question2_Result.PDF", PDF)
    hand_in(tmp_path, "question2_result.docx", b"PK")
    hand_in(tmp_path, "notes.pdf", PDF)
    verdict = judged(tmp_path)
    assert (verdict.fraction, verdict.final_status()) == (0.0, "fail")
    assert verdict.message == ("question2_result.pdf is missing (found Question2_Result.PDF, question2_result.docx: "
                               "the name must be exactly question2_result.pdf)")
    assert judged(tmp_path / "no such folder").message == "question2_result.pdf is missing"


def test_empty_and_too_small_files(tmp_path):
    hand_in(tmp_path, "question2_result.pdf", b"")
    assert judged(tmp_path).message == "question2_result.pdf is empty"
    hand_in(tmp_path, "question2_result.pdf", PDF[:5] + bytes(94))
    verdict = judged(tmp_path, min_bytes=100)
    assert (verdict.fraction, verdict.message) == (0.0, "question2_result.pdf is only 99 bytes (at least 100 expected)")
    hand_in(tmp_path, "question2_result.pdf", PDF[:5] + bytes(95))
    assert judged(tmp_path, min_bytes=100).fraction == 1.0


def test_a_file_of_another_format_is_named_by_its_first_bytes(tmp_path):
    hand_in(tmp_path, "question2_result.pdf", PNG)
    verdict = judged(tmp_path)
    assert (verdict.fraction, verdict.message) == (0.0, ("question2_result.pdf is not a real PDF file "
                                                        "(it starts with b'\\x89PNG\\r\\n\\x1a\\n')"))
    hand_in(tmp_path, "plot.png", PDF)
    assert judged(tmp_path, file="plot.png", format="png").message.startswith("plot.png is not a real PNG file")


def test_where_the_signature_may_be(tmp_path):
    hand_in(tmp_path, "question2_result.pdf", b"\xef\xbb\xbf" + bytes(1000) + PDF)
    assert judged(tmp_path).fraction == 1.0, "PDF readers find the header within the first 1,024 bytes"
    hand_in(tmp_path, "question2_result.pdf", bytes(1100) + PDF)
    assert judged(tmp_path).fraction == 0.0
    hand_in(tmp_path, "plot.png", b"JUNK" + PNG)
    assert judged(tmp_path, file="plot.png", format="png").fraction == 0.0, "a PNG's signature is its first 8 bytes"
    hand_in(tmp_path, "plot.png", PNG)
    assert judged(tmp_path, file="plot.png", format="png").fraction == 1.0


def test_any_format_needs_only_bytes(tmp_path):
    hand_in(tmp_path, "answers.txt", b"42")
    assert judged(tmp_path, file="answers.txt", format="any").fraction == 1.0


def test_links_are_never_followed(tmp_path):
    outside = hand_in(tmp_path / "outside", "question2_result.pdf", PDF)
    student = tmp_path / "student"
    student.mkdir()
    (student / "question2_result.pdf").symlink_to(outside)
    verdict = judged(student)
    assert (verdict.fraction, verdict.message) == (0.0, ("question2_result.pdf is a symbolic link; links are not "
                                                        "followed"))
    (student / "results").symlink_to(outside.parent, target_is_directory=True)
    verdict = judged(student, file="results/question2_result.pdf")
    assert (verdict.fraction, verdict.message) == (0.0, ("results/question2_result.pdf is in a linked folder; links "
                                                        "are not followed"))


def test_a_folder_or_a_fifo_is_not_the_file(tmp_path):
    (tmp_path / "question2_result.pdf").mkdir()
    assert judged(tmp_path).message == "question2_result.pdf is a folder, not a file"
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "question2_result.pdf")
    assert judged(fifo).message == "question2_result.pdf is not a regular file"
