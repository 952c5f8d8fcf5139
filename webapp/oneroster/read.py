"""Reading a OneRoster CSV bundle: the zip (or folder) safely, then each file as a stream
of rows, tolerant of what real exports contain. Every accepted deviation becomes a
warning through `Problems`; nothing here knows about the database."""
import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath

# Zip bomb limits: the whole bundle unpacked, and how much one member may expand.
MAX_UNPACKED_BYTES = 1 << 30
MAX_RATIO = 200
RATIO_FROM_BYTES = 1 << 20  # tiny members may compress very well; no ratio check below this

KNOWN_FILES = ("manifest", "academicsessions", "orgs", "courses", "classes", "users",
               "enrollments", "roles", "demographics", "categories", "lineitems", "results",
               "resources", "classresources", "courseresources", "userprofiles",
               "lineitemlearningobjectiveids", "lineitemscoreScales".lower(),
               "resultlearningobjectiveids", "resultscorescales", "scorescales")
MODES = ("bulk", "delta", "absent")
STATUSES = ("active", "tobedeleted", "inactive")


class NotABundle(Exception):
    """The upload is not a OneRoster bundle we may read (the message says why)."""


@dataclass
class Problem:
    file: str | None
    line: int | None
    column: str | None
    message: str

    def to_dict(self):
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}


@dataclass
class Problems:
    """Errors and warnings. Row-level warnings of one kind in one file are listed up to
    `per_kind` times, then summed up in one more warning (a million padded rows must not
    make a million-line report)."""
    per_kind: int = 20
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    _counts: dict = field(default_factory=dict)

    def error(self, file, line, column, message):
        self.errors.append(Problem(file, line, column, message))

    def warn(self, file, line, column, message, kind=None):
        key = (file, kind or message)
        seen = self._counts[key] = self._counts.get(key, 0) + 1
        if seen <= self.per_kind:
            self.warnings.append(Problem(file, line, column, message))

    def finish(self):
        """Add the 'and N more' summaries."""
        for (file, kind), count in self._counts.items():
            if count > self.per_kind:
                self.warnings.append(Problem(file, None, None, f"{count - self.per_kind} more "
                                             f"rows like the above: {kind}"))
        self._counts = {}


class Bundle:
    """The files of a bundle, by lower-case name without `.csv`; `open(name)` gives a text
    stream. Raises NotABundle for anything unsafe or unreadable."""

    def __init__(self, source, max_bytes=MAX_UNPACKED_BYTES, max_ratio=MAX_RATIO):
        self.source = Path(source)
        self.zip = None
        self.files = {}
        if self.source.is_dir():
            for path in self.source.iterdir():
                if path.is_file() and path.suffix.lower() == ".csv":
                    self.files[path.stem.lower()] = path
        else:
            self._open_zip(max_bytes, max_ratio)
        if "manifest" not in self.files:
            raise NotABundle("This is not a OneRoster bundle: it has no manifest.csv.")
        if not set(self.files) & (set(KNOWN_FILES) - {"manifest"}):
            raise NotABundle("This bundle holds none of the OneRoster files "
                             "(academicSessions.csv, classes.csv, users.csv, enrollments.csv …).")

    def _open_zip(self, max_bytes, max_ratio):
        try:
            self.zip = zipfile.ZipFile(self.source)
            members = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise NotABundle("This file is not a zip archive; upload the OneRoster bundle "
                             "as a .zip file.") from exc
        total = 0
        for member in members:
            name = member.filename
            path = PurePosixPath(name.replace("\\", "/"))
            if (name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name)
                    or ".." in path.parts):
                raise NotABundle(f"The zip holds an unsafe file name ({name!r}): a name "
                                 "that leaves the bundle's folder is refused.")
            total += member.file_size
            if total > max_bytes:
                raise NotABundle(f"The zip unpacks to more than {max_bytes:,} bytes; "
                                 "refused (a bundle that large is not a school's roster).")
            if (member.file_size > RATIO_FROM_BYTES
                    and member.file_size > max_ratio * max(member.compress_size, 1)):
                raise NotABundle(f"{name} expands {member.file_size // max(member.compress_size, 1)} "
                                 "times when unpacked; refused as a zip bomb.")
            if not member.is_dir() and path.suffix.lower() == ".csv":
                self.files.setdefault(path.stem.lower(), member)

    def open(self, name):
        """A text stream of the file (BOM noted in `.had_bom`), or None when absent."""
        where = self.files.get(name)
        if where is None:
            return None
        raw = self.zip.open(where) if self.zip is not None else open(where, "rb")  # noqa: SIM115 (closed by Table)
        return _Text(raw)

    def size(self, name):
        """The file's unpacked size in bytes (0 when absent), for progress."""
        where = self.files.get(name)
        if where is None:
            return 0
        return where.file_size if self.zip is not None else where.stat().st_size

    def close(self):
        if self.zip is not None:
            self.zip.close()


class _Text(io.TextIOWrapper):
    """UTF-8 text with an optional BOM stripped and remembered."""

    def __init__(self, raw):
        buffered = io.BufferedReader(raw) if not isinstance(raw, io.BufferedReader) else raw
        self.had_bom = buffered.peek(3)[:3] == codecs.BOM_UTF8
        super().__init__(buffered, encoding="utf-8-sig", newline="", errors="strict")


def _canonical(header):
    return re.sub(r"[^a-z0-9.]", "", header.strip().lower())


class Table:
    """One CSV file as rows: iterate to get (line, {canonical column: text}). Columns are
    matched case-insensitively; unknown and nameless columns are ignored (a warning), short
    rows are padded (a warning per row, summed up), quoted or not, CRLF or LF."""

    def __init__(self, bundle, name, spec_columns, problems):
        self.filename = f"{SPEC_NAMES.get(name, name)}.csv"
        self.stream = bundle.open(name)
        self.problems = problems
        self.columns = {_canonical(c): c for c in spec_columns}
        self.present = set()

    def __iter__(self):
        if self.stream is None:
            return
        problems, file = self.problems, self.filename
        try:
            if self.stream.had_bom:
                problems.warn(file, 1, None, "The file starts with a byte order mark; read "
                                             "as UTF-8.")
            reader = csv.reader(self.stream)
            header = next(reader, None)
            if header is None:
                problems.warn(file, None, None, "The file is empty (not even a header).")
                return
            keys = self._header(header)
            width = len(header)
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) < width:
                    problems.warn(file, line, None, f"The row has {len(row)} of {width} "
                                  "columns; the missing ones are read as empty.",
                                  kind="short rows padded")
                    row = row + [""] * (width - len(row))
                yield line, {key: row[i].strip() for i, key in keys}
        except UnicodeDecodeError:
            problems.error(file, None, None, "The file is not UTF-8 text; save it as "
                                             "UTF-8 and import again.")
        except csv.Error as exc:
            problems.error(file, None, None, f"The file is not valid CSV: {exc}.")
        finally:
            self.stream.close()

    def _header(self, header):
        keys, unknown, nameless = [], [], 0
        spec_order = list(self.columns)
        seen_order = []
        for i, title in enumerate(header):
            key = _canonical(title)
            if not key:
                nameless += 1
            elif key in self.columns and key not in self.present:
                keys.append((i, key))
                self.present.add(key)
                seen_order.append(key)
            else:
                unknown.append(title.strip())
        file = self.filename
        if nameless:
            self.problems.warn(file, 1, None, f"{nameless} column(s) without a name are "
                                              "ignored.")
        if unknown:
            self.problems.warn(file, 1, None, "Columns not used here are ignored: "
                               + ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else ""))
        exact = [title.strip() for title in header if _canonical(title) in self.columns]
        if exact != [self.columns[k] for k in seen_order]:
            self.problems.warn(file, 1, None, "Column names differ in case from the spec's; "
                                              "matched regardless of case.")
        if seen_order != [k for k in spec_order if k in self.present]:
            self.problems.warn(file, 1, None, "Columns are not in the spec's order; matched "
                                              "by name.")
        return keys


# The spec's file names (case kept) for messages.
SPEC_NAMES = {"academicsessions": "academicSessions", "orgs": "orgs", "courses": "courses",
              "classes": "classes", "users": "users", "enrollments": "enrollments",
              "roles": "roles", "manifest": "manifest", "demographics": "demographics"}


def read_manifest(bundle, problems):
    """(version, {file key: mode}) as the manifest writes them (keys and values any case)."""
    table = Table(bundle, "manifest", ("propertyName", "value"), problems)
    version, modes = None, {}
    for line, row in table:
        key, value = row.get("propertyname", ""), row.get("value", "")
        low_key, low_value = key.lower(), value.strip().lower()
        if low_key == "oneroster.version":
            version = value.strip()
        elif low_key.startswith("file."):
            name = low_key[5:]
            if low_value not in MODES:
                problems.error(table.filename, line, "value",
                               f"{value!r} is not a mode for {key} (bulk, delta or absent).")
                continue
            if value.strip() != low_value:
                problems.warn(table.filename, line, "value", f"Mode {value!r} read as "
                              f"{low_value!r}.", kind="mode case")
            modes[name] = low_value
    if version not in ("1.1", "1.2"):
        if version and version.startswith(("1.1", "1.2")):
            problems.warn(table.filename, None, None, f"Version {version!r} read as "
                          f"{version[:3]}.")
            version = version[:3]
        else:
            problems.warn(table.filename, None, None, f"oneroster.version is {version!r}; "
                          "read as 1.1." if version else "No oneroster.version; read as 1.1.")
            version = "1.1"
    return version, modes


# Values -----------------------------------------------------------------------------------

DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text):
    """(date, deviation or None) from YYYY-MM-DD, an ISO datetime (fraction and offset
    optional, `Z` too) or d/m/yyyy; ValueError otherwise."""
    text = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        return date.fromisoformat(text), None
    match = DMY.match(text)
    if match:
        day, month, year = map(int, match.groups())
        return date(year, month, day), f"date {text!r} read as day/month/year"
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        return moment.date(), f"date-time {text!r} read as the date {moment.date()}"
    raise ValueError(text)


def parse_enum(text, allowed):
    """(value, deviation or None): matched in any case; `ext:` values kept; ValueError
    when none matches."""
    if text in allowed:  # the usual case (no two allowed values differ only in case)
        return text, None
    low = text.strip().lower()
    for value in allowed:
        if value.lower() == low:
            return value, (None if value == text.strip() else
                           f"{text!r} read as {value!r}")
    if low.startswith("ext:"):
        return text.strip(), None
    raise ValueError(text)


def parse_bool(text):
    low = text.strip().lower()
    if low not in ("true", "false"):
        raise ValueError(text)
    return low == "true", (None if text.strip() == low else f"{text!r} read as {low}")
