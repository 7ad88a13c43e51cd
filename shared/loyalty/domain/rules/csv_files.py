"""CSV files of customers, as imports read them and exports write them (Python's csv module).

A file is read as bytes, line by line, so that every row's byte offset is known: an import is cut
into chunks of rows at record boundaries, and each chunk is later read again alone by a ranged read
of the same file. Pure: bytes in, rows out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

IMPORT_COLUMNS = ("customer_id", "email", "first_name", "last_name", "status", "points")
EXPORT_COLUMNS = (
    *IMPORT_COLUMNS,
    "balance",
    "earned",
    "adjusted",
    "redeemed",
    "expired",
    "pending",
    "tier",
    "last_activity_at",
)
REQUIRED_COLUMN = "customer_id"

MAX_BODY_BYTES = 5 * 1024 * 1024  # a file sent as the request's body
MAX_BODY_ROWS = 100_000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # a file uploaded to the bucket first
MAX_UPLOAD_ROWS = 1_000_000
CHUNK_ROWS = 500  # rows per queue message: a few seconds of transactions


class UnreadableFile(ValueError):
    """A file that cannot be imported at all: nothing of it is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows `first_row`.. of a file, between byte offsets `start` (included) and `end` (excluded)."""

    first_row: int
    rows: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Survey:
    """A whole file read once: its columns, its rows and where each chunk of rows lies."""

    header: tuple[str, ...]
    rows: int
    chunks: tuple[Chunk, ...]


class _Lines:
    """The file's lines decoded as UTF-8, counting the bytes handed to the csv reader."""

    def __init__(self, lines: Iterable[bytes], first_line: bool) -> None:
        self._lines = iter(lines)
        self._first = first_line
        self.offset = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.offset += len(line)
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableFile("the file is not UTF-8 text") from None
        if self._first:
            self._first = False
            text = text.removeprefix("\ufeff")  # a byte order mark, as spreadsheets write it
        if "\ufffd" in text:  # what a gateway makes of bytes that were not UTF-8
            raise UnreadableFile("the file is not UTF-8 text")
        return text


def _records(lines: _Lines) -> Iterator[list[str]]:
    """Non-empty records; csv's own errors (a NUL byte, a stray quote) make the file unreadable."""
    reader = csv.reader(lines, strict=True)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableFile(f"the file is not valid CSV (line {reader.line_num}): {error}") from None
        if any(field.strip() for field in record):
            yield record


def read_header(record: Sequence[str]) -> tuple[str, ...]:
    header = tuple(name.strip().lower() for name in record)
    if REQUIRED_COLUMN not in header:
        raise UnreadableFile(f"the header row has no `{REQUIRED_COLUMN}` column")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise UnreadableFile(f"the header row repeats columns: {', '.join(repeated)}")
    return header


def survey(lines: Iterable[bytes], max_rows: int, chunk_rows: int = CHUNK_ROWS) -> Survey:
    """Read a whole file: its header, its rows (at most `max_rows`) and its chunks of rows."""
    counted = _Lines(lines, first_line=True)
    records = _records(counted)
    first = next(records, None)
    if first is None:
        raise UnreadableFile("the file is empty: a header row is required")
    header = read_header(first)
    chunks: list[Chunk] = []
    rows = 0
    start, first_row = counted.offset, 1
    for _ in records:
        rows += 1
        if rows > max_rows:
            raise UnreadableFile(f"the file has more than {max_rows} rows")
        if rows - first_row + 1 == chunk_rows:
            chunks.append(Chunk(first_row, chunk_rows, start, counted.offset))
            start, first_row = counted.offset, rows + 1
    if rows >= first_row:
        chunks.append(Chunk(first_row, rows - first_row + 1, start, counted.offset))
    return Survey(header, rows, tuple(chunks))


def chunk_rows(data: bytes, header: Sequence[str], first_row: int) -> Iterator[tuple[int, dict[str, str]]]:
    """The numbered rows of one chunk's bytes, each as {column: value} (extra fields ignored)."""
    lines = _Lines(io.BytesIO(data), first_line=False)
    for number, record in enumerate(_records(lines), start=first_row):
        yield number, {name: value for name, value in zip(header, record, strict=False) if name}


def write_rows(rows: Iterable[Sequence[object]], columns: Sequence[str] = EXPORT_COLUMNS) -> Iterator[bytes]:
    """A CSV file, header first, as UTF-8 bytes of a few rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for number, row in enumerate(rows, start=1):
        writer.writerow(["" if value is None else value for value in row])
        if number % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
