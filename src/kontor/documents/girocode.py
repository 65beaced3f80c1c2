"""The EPC QR code (GiroCode) for bank transfers: the code `segno.helpers.make_epc_qr` makes,
module for module, and the SVG text segno writes for it, byte for byte, ten times faster.

segno builds a code bit by bit in Python: data bits, Reed-Solomon, placement module by module,
eight masked matrices scored module by module; its SVG writer walks the modules once more.
Here segno's own functions build, once per QR version (an EPC code has at most version 13,
about 13 ms each), where each bit of the final message lands and what each data mask inverts.
A payload then takes: its codewords (byte mode, segno's padding included) with a table-driven
Reed-Solomon remainder; the placement as one `itemgetter` call; the matrix as a bit string, its
columns by a bit-matrix transposition; the eight penalty scores as big-integer operations,
counted the way segno counts them (down to the order of its N3 search); the SVG path from the
rows split at the ends of dark runs. Per code (200 invoice payloads, versions 4-11; before ->
after): matrix 2.0 -> 0.10 ms, mask choice 1.0 -> 0.14 ms, SVG 1.0 -> 0.06 ms, code and SVG
4.1 -> 0.37 ms (segno alone: 9.4 ms and the SVG). tests/documents/test_girocode.py holds code,
scores and SVG to segno's for payloads of every version 3-13 with every mask."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING

import segno
from segno import consts, encoder, helpers

if TYPE_CHECKING:
    from collections.abc import Sequence

EPC_ERROR_LEVEL = consts.ERROR_LEVEL_M  # fixed by the EPC standard
EPC_MAX_VERSION = 13
SVG_SCALE = 4
PAD_CODEWORDS = b"\xec\x11"
ASCII_TO_MODULE = bytes.maketrans(b"01", b"\x00\x01")
MODULE_TO_ASCII = bytes.maketrans(b"\x00\x01", b"01")


def epc_qr(*, name: str, iban: str, amount: Decimal, text: str, bic: str | None) -> segno.QRCode:
    """What `segno.helpers.make_epc_qr(name=..., iban=..., amount=..., text=..., bic=...)`
    returns."""
    payload = helpers._make_epc_qr_data(name, iban, amount, text=text, bic=bic)  # noqa: SLF001
    version = _version_for(len(payload))
    if version > EPC_MAX_VERSION:  # as in make_epc_qr; a payload of 331 bytes fits version 13
        raise ValueError(f"EPC QR code of version {version}, at most 13 is allowed")
    layout = _layout(version)
    message = _final_message(payload, version)
    unmasked = layout.place(message)
    lines = (unmasked << layout.grid_bits) | _transposed(unmasked, layout.stride)
    scores = [_penalty(lines ^ flip, layout) for flip in layout.line_flips]
    mask = scores.index(min(scores))  # segno keeps the first of equal scores
    matrix = layout.rows_of(unmasked ^ layout.grid_flips[mask])
    encoder.add_format_info(matrix, version, EPC_ERROR_LEVEL, mask)
    encoder.add_version_info(matrix, version)
    return segno.QRCode(encoder.Code(matrix, version, EPC_ERROR_LEVEL, mask, layout.segments))


def epc_qr_svg_text(qr: segno.QRCode) -> str:
    """What `qr.save(out, kind="svg", scale=4, border=0, xmldecl=False)` writes: one path of
    horizontal lines, each dark run a step from the end of the one before it.

    The rows, each followed by size + 1 light modules, are split at every dark module that
    has a light one after it: each piece between two splits holds the light modules before
    a dark run and the run, less the two modules of the split, and is one step of the path."""
    matrix = qr.matrix
    if not matrix[0][0]:  # segno starts such a path with an empty line; QR codes never do
        return _segno_svg_text(qr)
    size = len(matrix)
    light = b"\x00" * (size + 1)
    pieces = (light.join(matrix) + light).split(b"\x01\x00")
    width = size * SVG_SCALE
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{width}" class="segno">'
        f'<path transform="scale({SVG_SCALE})" class="qrline" stroke="#000" d="'
        f"M0 0.5h{len(pieces[0]) + 1}"
        + "".join(map(_path_steps(size).__getitem__, pieces[1:-1]))
        + '"/></svg>\n'
    )


def penalty(matrix: Sequence[bytes | bytearray]) -> int:
    """The penalty score N1 + N2 + N3 + N4 segno gives a QR code matrix of light (0) and dark
    (1) modules (`sum(segno.encoder.mask_scores(...))`)."""
    layout = _layout((len(matrix) - 17) // 4)
    grid = _grid_of(b"".join(matrix).translate(MODULE_TO_ASCII), layout)
    return _penalty((grid << layout.grid_bits) | _transposed(grid, layout.stride), layout)


def _final_message(payload: bytes, version: int) -> bytes:
    """The data codewords of `payload` in byte mode (segno's choice for every EPC payload: it
    starts with "BCD\n") and their error correction codewords, interleaved by block, as
    segno's `make_final_message` orders them (its remainder bits are left to the layout)."""
    count_bits = consts.CHAR_COUNT_INDICATOR_LENGTH[consts.MODE_BYTE][
        encoder.version_range(version)
    ]
    length = len(payload)
    # Mode, character count, data and a 4-bit terminator end on a byte boundary; segno's
    # write_padding_bits then still adds 8 zero bits before the pad codewords.
    head = (consts.MODE_BYTE << count_bits | length) << 8 * length | int.from_bytes(payload)
    stream = (head << 4).to_bytes((8 + count_bits + 8 * length) // 8) + b"\x00"
    blocks_info = consts.ECC[version][EPC_ERROR_LEVEL]
    data_length = sum(info.num_blocks * info.num_data for info in blocks_info)
    pads = PAD_CODEWORDS * ((data_length - len(stream)) // 2 + 1)
    data = (stream + pads)[:data_length]
    data_blocks, error_blocks = [], []
    start = 0
    for info in blocks_info:
        for _ in range(info.num_blocks):
            block = data[start : start + info.num_data]
            start += info.num_data
            data_blocks.append(block)
            error_blocks.append(_error_codewords(block, info.num_total - info.num_data))
    return _interleaved(data_blocks) + _interleaved(error_blocks)


def _error_codewords(block: bytes, count: int) -> bytes:
    """The Reed-Solomon remainder segno's make_blocks computes, one table look-up per byte."""
    products = _generator_products(count)
    top = 8 * (count - 1)
    below_top = (1 << top) - 1
    remainder = 0
    for byte in block:
        remainder = ((remainder & below_top) << 8) ^ products[byte ^ (remainder >> top)]
    return remainder.to_bytes(count)


@functools.cache
def _generator_products(count: int) -> tuple[int, ...]:
    """The generator polynomial of `count` error codewords (without its leading 1) times each
    byte value, in GF(256) as segno computes it, as an integer of `count` bytes."""
    generator, log, exp = consts.GEN_POLY[count], consts.GALIOS_LOG, consts.GALIOS_EXP
    return (0,) + tuple(
        int.from_bytes(bytes(exp[log[value] + power] for power in generator))
        for value in range(1, 256)
    )


def _interleaved(blocks: list[bytes]) -> bytes:
    """The first byte of each block, then the second of each, ... (later blocks may be one
    longer)."""
    count, shortest = len(blocks), min(map(len, blocks))
    body = bytearray(count * shortest)
    for index, block in enumerate(blocks):
        body[index::count] = block[:shortest]
    longest = max(map(len, blocks))
    tail = bytes(block[i] for i in range(shortest, longest) for block in blocks if i < len(block))
    return bytes(body) + tail


def _transposed(grid: int, stride: int) -> int:
    """The square bit matrix `grid` (`stride` bits a row, `stride` a power of two) with rows
    and columns exchanged: each step swaps one bit of the row and column index."""
    for delta, keep in _transpose_steps(stride):
        swap = ((grid >> delta) ^ grid) & keep
        grid ^= swap ^ (swap << delta)
    return grid


@functools.cache
def _transpose_steps(stride: int) -> tuple[tuple[int, int], ...]:
    steps = []
    step = stride // 2
    while step:
        bits = (
            1 << (row * stride + column)
            for row in range(stride)
            for column in range(stride)
            if not row & step and column & step
        )
        steps.append((step * (stride - 1), sum(bits)))
        step //= 2
    return tuple(steps)


def _penalty(lines: int, layout: _Layout) -> int:
    """N1 + N2 + N3 + N4 of one masked matrix: `lines` holds its rows, then its columns, each
    in a line of `layout.stride` bits (a module followed by the next one in the next lower
    bit); light padding keeps each line at least four modules apart from the next."""
    stride = layout.stride
    next1, next5 = lines << 1, lines << 5
    equal = ~(lines ^ next1) & layout.pairs  # the module equals the next one in its line
    five = equal & (equal << 1) & (equal << 2) & (equal << 3)  # starts 5 equal modules
    n1 = five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()  # run of L: L - 4 + 2
    below = ~(lines ^ (lines << stride))  # the module equals the one below it
    n2 = 3 * (equal & (equal << stride) & below & layout.block_corners).bit_count()
    finder_like = (  # dark light dark dark dark light dark starts here
        lines & (lines << 2) & (lines << 3) & (lines << 4) & (lines << 6) & ~(next1 | next5)
    )
    light_before = ~((lines >> 1) | (lines >> 2) | (lines >> 3) | (lines >> 4))
    light_after = ~((lines << 7) | (lines << 8) | (lines << 9) | (lines << 10))
    countable = finder_like & (light_before | light_after)
    # segno searches on behind a counted pattern, so one starting 4 or 6 modules after it (the
    # two overlaps the pattern allows) is not seen; a pattern that is not seen hides none.
    seen = finder_like
    while True:
        counted = seen & countable
        now_seen = finder_like & ~((counted >> 4) | (counted >> 6))
        if now_seen == seen:
            break
        seen = now_seen
    n3 = 40 * counted.bit_count()
    dark = lines.bit_count() // 2  # every module is in one row and one column
    n4 = 10 * int(abs(float(dark) / layout.cells * 100 - 50) / 5)
    return n1 + n2 + n3 + n4


def _grid_of(modules: bytes, layout: _Layout) -> int:
    """The matrix given as "0"/"1" modules, row after row, as a square bit matrix of
    `layout.stride` bits a row: a row's first module in its highest bit."""
    size, stride = layout.size, layout.stride
    padding = b"0" * (stride - size)
    padded = padding.join([modules[start : start + size] for start in range(0, size * size, size)])
    return int(padded, 2) << (stride - size) * (stride + 1)


@dataclass(frozen=True)
class _Layout:
    """What a QR code of one version and error level M looks like besides its message."""

    size: int
    stride: int  # bits a row of the bit matrices: a power of two, 4 or more beyond `size`
    cells: int
    grid_bits: int
    placement: itemgetter  # message bits + "01" -> the unmasked matrix as "0"/"1" modules
    grid_flips: tuple[int, ...]  # per data mask: the encoding region's modules it inverts
    line_flips: tuple[int, ...]  # the same in rows, then columns
    pairs: int  # a module with a next one in its row or column
    block_corners: int  # the upper left module of a 2 x 2 block
    segments: encoder.Segments  # for segno.QRCode: byte mode

    def place(self, message: bytes) -> int:
        """The unmasked matrix with the final message `message` as a bit matrix."""
        bits = f"{int.from_bytes(message):0{8 * len(message)}b}".encode() + b"01"
        return _grid_of(bytes(self.placement(bits)), self)

    def rows_of(self, grid: int) -> tuple[bytearray, ...]:
        """The rows of a bit matrix, one byte per module."""
        modules = f"{grid:0{self.grid_bits}b}".encode().translate(ASCII_TO_MODULE)
        size = self.size
        return tuple(
            bytearray(modules[start : start + size])
            for start in range(0, size * self.stride, self.stride)
        )


@functools.cache
def _version_for(length: int) -> int:
    """The version segno chooses for a payload of `length` bytes at error level M."""
    segments = encoder.prepare_data(bytes(length), consts.MODE_BYTE, None)
    return encoder.find_version(segments, EPC_ERROR_LEVEL, eci=False, micro=False)


@functools.cache
def _layout(version: int) -> _Layout:
    """The matrix segno fills (make_matrix, finder and alignment patterns; format and version
    areas still light) and where segno's add_codewords puts each bit of the final message,
    found by letting it place the bits' numbers, low byte and high byte."""
    size = encoder.calc_matrix_size(version)
    stride = 64 if size <= 60 else 128
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    blocks_info = consts.ECC[version][EPC_ERROR_LEVEL]
    data_bits = 8 * sum(info.num_blocks * info.num_data for info in blocks_info)
    message_bits = 8 * sum(info.num_blocks * info.num_total for info in blocks_info)
    length = len(
        encoder.make_final_message(version, EPC_ERROR_LEVEL, encoder.Buffer(bytes(data_bits)))
    )

    def placed(values: list[int]) -> tuple[bytearray, ...]:
        matrix = tuple(bytearray(row) for row in function)
        encoder.add_codewords(matrix, values, version)
        return matrix

    low = placed([n & 0xFF for n in range(length)])
    high = placed([n >> 8 for n in range(length)])
    unfilled = placed([0] * length)
    cells = [(i, j) for i in range(size) for j in range(size)]
    region = [(i, j) for i, j in cells if function[i][j] == 0x2]
    if any(unfilled[i][j] == 0x2 for i, j in region):
        raise RuntimeError(f"segno leaves modules of version {version} unfilled")
    sources = []  # remainder bits are light, like the constant "0" after the message
    for i, j in cells:
        if function[i][j] == 0x2:
            number = high[i][j] << 8 | low[i][j]
            sources.append(number if number < message_bits else message_bits)
        else:
            sources.append(message_bits + function[i][j])

    def grid(points: list[tuple[int, int]]) -> int:
        last = stride * stride - 1
        return sum(1 << (last - i * stride - j) for i, j in points)

    grid_bits = stride * stride
    grid_flips = tuple(
        grid([(i, j) for i, j in region if mask(i, j)])
        for mask in encoder.get_data_mask_functions(False)
    )
    pairs = grid([(i, j) for i, j in cells if j < size - 1])
    return _Layout(
        size=size,
        stride=stride,
        cells=size * size,
        grid_bits=grid_bits,
        placement=itemgetter(*sources),
        grid_flips=grid_flips,
        line_flips=tuple((flip << grid_bits) | _transposed(flip, stride) for flip in grid_flips),
        pairs=(pairs << grid_bits) | pairs,
        block_corners=grid([(i, j) for i, j in cells if i < size - 1 and j < size - 1])
        << grid_bits,
        segments=encoder.prepare_data(b"", consts.MODE_BYTE, None),
    )


class _PathSteps(dict[bytes, str]):
    """The path step of each piece epc_qr_svg_text cuts, by its Z light modules and D - 1
    dark ones. Within a row (Z < size) the step skips Z + 1 modules and draws D. Moving on by
    K rows, Z = t + x + size + (K - 1) * (2 * size + 1) for t light modules at the end of the
    row left and x at the start of the new one: the step goes x + t - size from the end of the
    last run. Only steps to the next row are kept: at most three times size * size."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __missing__(self, piece: bytes) -> str:
        size, dark = self.size, piece.count(1) + 1
        light = len(piece) - dark + 1
        if light < size:
            step = f"m{light + 1} 0h{dark}"
        else:
            rows, end_and_start = divmod(light - size, 2 * size + 1)
            step = f"m{end_and_start - size} {rows + 1}h{dark}"
        if light < 3 * size:
            self[piece] = step
        return step


@functools.cache
def _path_steps(size: int) -> _PathSteps:
    return _PathSteps(size)


def _segno_svg_text(qr: segno.QRCode) -> str:
    buffer = io.BytesIO()
    qr.save(buffer, kind="svg", scale=SVG_SCALE, border=0, xmldecl=False)
    return buffer.getvalue().decode("utf-8")
