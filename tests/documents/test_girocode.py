"""The GiroCode is the code segno makes by itself, module for module, whichever mask wins."""

from __future__ import annotations

import io
import random
from collections import Counter
from decimal import Decimal

import pytest
from segno import helpers

from kontor.documents.girocode import epc_qr


def payloads(count: int) -> list[dict]:
    """Names, amounts and texts of many lengths (QR versions 4 to 11), some needing UTF-8."""
    rnd = random.Random(20260601)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyzäöüß&-."
    found = []
    for n in range(count):
        name = "".join(rnd.choice(letters) for _ in range(rnd.randint(1, 69)))
        text = f"RE-{rnd.randint(1, 10 ** rnd.randint(1, 20))}"
        found.append(
            {
                "name": name + ("Ω" if n % 7 == 0 else ""),
                "iban": "DE02200505501015871393",
                "amount": Decimal(rnd.randint(1, 99_999_999)) / 100,
                "text": text + (" " + "x" * rnd.randint(0, 100) if n % 3 == 0 else ""),
                "bic": rnd.choice([None, "HASPDEHHXXX", "COBADEFF"]),
            }
        )
    return found


PAYLOADS = payloads(240)


def test_every_code_is_the_one_segno_makes_with_its_own_mask_choice():
    masks: Counter[int] = Counter()
    for payload in PAYLOADS:
        theirs, ours = helpers.make_epc_qr(**payload), epc_qr(**payload)
        assert (ours.version, ours.mask, ours.matrix) == (
            theirs.version,
            theirs.mask,
            theirs.matrix,
        )
        masks[theirs.mask] += 1
    assert set(masks) == set(range(8))  # every mask won somewhere


@pytest.mark.parametrize("payload", PAYLOADS[:3])
def test_the_svg_is_the_same(payload):
    def svg(qr) -> bytes:  # noqa: ANN001
        buffer = io.BytesIO()
        qr.save(buffer, kind="svg", scale=4, border=0, xmldecl=False)
        return buffer.getvalue()

    assert svg(epc_qr(**payload)) == svg(helpers.make_epc_qr(**payload))


def test_too_long_a_payload_is_refused_like_segno_does():
    payload = {**PAYLOADS[0], "text": "x" * 141}
    with pytest.raises(ValueError) as theirs:
        helpers.make_epc_qr(**payload)
    with pytest.raises(ValueError) as ours:
        epc_qr(**payload)
    assert str(ours.value) == str(theirs.value)
