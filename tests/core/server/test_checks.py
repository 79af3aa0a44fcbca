"""The core's request checks decide like the SIP layer's full validation on every torture
message (they only parse less)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from siprouter.core.server.checks import check_request
from siprouter.core.sip import SIPError, SIPRequest, parse_message, validate_request

DATA = Path(__file__).parents[2] / "data" / "sip-torture"


def _requests() -> list[tuple[str, bytes]]:
    out = []
    for suite in ("rfc4475", "rfc5118"):
        with open(DATA / suite / "manifest.tsv", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                data = (DATA / suite / f"{row['name']}.sip").read_bytes()
                try:
                    msg = parse_message(data)
                except SIPError:
                    continue  # refused by the parser, before any check
                if isinstance(msg, SIPRequest):
                    out.append((row["name"], data))
    return out


@pytest.mark.parametrize("name,data", _requests(), ids=[n for n, _ in _requests()])
def test_same_status_as_full_validation(name: str, data: bytes) -> None:
    full = validate_request(parse_message(data), strict=False, supported=())  # type: ignore[arg-type]
    light = check_request(parse_message(data))  # type: ignore[arg-type]
    assert (light.status if light else None) == (full.status if full else None)
