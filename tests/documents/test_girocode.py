"""The GiroCode is the code segno makes by itself, module for module, whichever version and mask
it gets, and its SVG text is the one segno's writer gives, byte for byte."""

from __future__ import annotations

import io
import random
import string
from collections import Counter
from decimal import Decimal

import pytest
import segno
from segno import consts, encoder, helpers

from kontor.documents.girocode import epc_qr, epc_qr_svg_text, penalty

EPC_VERSIONS = range(3, 14)  # the shortest payload (32 bytes) needs version 3, 331 bytes 13
NARROW = string.ascii_letters + string.digits + string.punctuation  # one byte in UTF-8
WIDE = "äöüßéñçøåΩλπжщ"  # two bytes
BYTE_SEGMENTS = encoder.prepare_data(b"", consts.MODE_BYTE, None)


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


def sized_payload(rnd: random.Random, version: int) -> dict:
    """A payload in UTF-8 (Ω and ä are in no single ISO 8859 part) whose length needs
    `version`: the text fills up to a random length, its ä taking two bytes each where 140
    characters are not enough; a mix of many characters gives every mask a chance."""
    lowest, highest = byte_capacity(version - 1) + 1, byte_capacity(version)
    while True:
        target = rnd.randint(lowest, highest)
        short = target < 60  # leaves room for the text
        payload = {
            "name": "Ωä" + "".join(rnd.choice(NARROW) for _ in range(rnd.randint(0, 68))),
            "iban": "DE021" if short else rnd.choice(["DE021", "DE02200505501015871393"]),
            "amount": Decimal(rnd.randint(1, 10 ** rnd.randint(1, 11))) / 100,
            "text": "x",
            "bic": None if short else rnd.choice([None, "HASPDEHHXXX"]),
        }
        if short:
            payload["name"] = payload["name"][: rnd.randint(2, 8)]
        rest = target - len(payload_bytes(payload)) + 1  # bytes the text may take
        wide = min(max(rest - 140, 0), 140)
        narrow = min(rest - 2 * wide, 140 - wide)
        text = [rnd.choice(WIDE) for _ in range(wide)] + [rnd.choice(NARROW) for _ in range(narrow)]
        rnd.shuffle(text)
        payload["text"] = "".join(text)
        if text and lowest <= len(payload_bytes(payload)) <= highest:
            return payload


def byte_capacity(version: int) -> int:
    if version < 1:
        return 0
    mode_bits = (
        4 + consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_BYTE][encoder.version_range(version)]
    )
    return (consts.SYMBOL_CAPACITY[version][consts.ERROR_LEVEL_M] - mode_bits) // 8


def payload_bytes(payload: dict) -> bytes:
    return helpers._make_epc_qr_data(  # noqa: SLF001
        payload["name"],
        payload["iban"],
        payload["amount"],
        text=payload["text"],
        bic=payload["bic"],
    )


@pytest.fixture(scope="module")
def every_version_and_mask() -> list[dict]:
    """For each version an EPC code can have, a payload for each mask (found with epc_qr, which
    the tests below then hold to segno)."""
    found: dict[tuple[int, int], dict] = {}
    for version in EPC_VERSIONS:
        rnd = random.Random(version)
        for _ in range(2000):  # mask 1 is rare in larger versions: 572 tries for version 12
            payload = sized_payload(rnd, version)
            qr = epc_qr(**payload)
            found.setdefault((qr.version, qr.mask), payload)
            if all((version, mask) in found for mask in range(8)):
                break
    assert set(found) == {(version, mask) for version in EPC_VERSIONS for mask in range(8)}
    return list(found.values())


def segno_svg(qr: segno.QRCode) -> str:
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=4, border=0, xmldecl=False)
    return buffer.getvalue().decode("utf-8")


def assert_same_code_and_svg(payload: dict) -> segno.QRCode:
    theirs, ours = helpers.make_epc_qr(**payload), epc_qr(**payload)
    assert (ours.version, ours.mask, ours.matrix) == (theirs.version, theirs.mask, theirs.matrix)
    assert (ours.error, ours.mode, ours.designator) == (
        theirs.error,
        theirs.mode,
        theirs.designator,
    )
    assert epc_qr_svg_text(ours) == segno_svg(theirs)
    return theirs


def test_every_code_and_svg_is_the_one_segno_makes_with_its_own_mask_choice():
    masks: Counter[int] = Counter()
    for payload in PAYLOADS:
        masks[assert_same_code_and_svg(payload).mask] += 1
    assert set(masks) == set(range(8))  # every mask won somewhere


def test_every_version_with_every_mask_is_the_code_segno_makes(every_version_and_mask):
    for payload in every_version_and_mask:
        assert_same_code_and_svg(payload)


def test_the_penalty_is_segnos_for_every_mask_candidate(every_version_and_mask):
    """Not only the winner: all eight scores agree, so ties are broken alike."""
    for payload in every_version_and_mask[::7]:
        qr = epc_qr(**payload)
        size = len(qr.matrix)
        # The matrix as segno scores it: data masked, format and version areas still light.
        unmasked = encoder.make_matrix(size, size)
        encoder.add_finder_patterns(unmasked, size, size)
        encoder.add_alignment_patterns(unmasked, size, size)
        region = [(i, j) for i in range(size) for j in range(size) if unmasked[i][j] == 2]
        functions = encoder.get_data_mask_functions(False)
        for i, j in region:
            unmasked[i][j] = qr.matrix[i][j] ^ functions[qr.mask](i, j)
        for mask in functions:
            candidate = tuple(bytearray(row) for row in unmasked)
            for i, j in region:
                candidate[i][j] ^= mask(i, j)
            assert penalty(candidate) == sum(encoder.mask_scores(candidate, size, size))


@pytest.mark.parametrize("version", range(1, 14))
def test_the_penalty_of_random_matrices_is_segnos(version):
    """Dense finder-like patterns that overlap (a counted one hides one 4 or 6 modules on),
    long runs, blocks and empty lines, in rows and columns."""
    rnd = random.Random(version)
    size = encoder.calc_matrix_size(version)
    pieces = [b"\x01\x00\x01\x01\x01\x00\x01", b"\x01\x00\x01\x01", b"\x00" * 4, b"\x00", b"\x01"]
    for _ in range(12):
        modules = b"".join(rnd.choice(pieces) for _ in range(size * size))[: size * size]
        if rnd.random() < 0.5:  # mix with plain random modules
            modules = bytes(m if rnd.random() < 0.7 else rnd.randint(0, 1) for m in modules)
        matrix = [bytearray(modules[start : start + size]) for start in range(0, size * size, size)]
        if rnd.random() < 0.3:
            matrix = [bytearray(column) for column in zip(*matrix, strict=True)]
        assert penalty(matrix) == sum(encoder.mask_scores(matrix, size, size))


@pytest.mark.parametrize("version", [1, 6, 13])
def test_the_svg_of_any_matrix_is_segnos(version):
    """Rows without dark modules (a step down more than one row) and a light first module
    (segno's path then starts with an empty line)."""
    rnd = random.Random(version)
    size = encoder.calc_matrix_size(version)
    for case in range(20):
        matrix = tuple(
            bytearray(rnd.randint(0, 1) for _ in range(size))
            if rnd.random() < 0.7
            else bytearray(size)
            for _ in range(size)
        )
        matrix[0][0] = case % 4 != 0
        qr = segno.QRCode(encoder.Code(matrix, version, consts.ERROR_LEVEL_M, 0, BYTE_SEGMENTS))
        assert epc_qr_svg_text(qr) == segno_svg(qr)


@pytest.mark.parametrize(
    "change",
    [{"text": "x" * 141}, {"name": "Ω" + "ä" * 69, "text": "ä" * 140}],
    ids=["text too long", "payload too big"],
)
def test_too_long_a_payload_is_refused_like_segno_does(change):
    payload = {**PAYLOADS[0], **change}
    with pytest.raises(ValueError) as theirs:
        helpers.make_epc_qr(**payload)
    with pytest.raises(ValueError) as ours:
        epc_qr(**payload)
    assert str(ours.value) == str(theirs.value)
