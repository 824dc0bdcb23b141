"""CSV import and export of a contact list. An import reports every rejected row with its reason,
so nothing a file holds is silently lost; an existing number is never overwritten."""

import csv
import io

from app.db import get_db
from app.services.contacts import contact_lists
from app.services.errors import ServiceError
from app.services.setup.records import object_id

COLUMNS = ("first_name", "last_name", "phone", "mobile", "email", "company", "tags", "notes")
MAX_ROWS = 20_000
EXTRA_CELLS = "More cells than columns."
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def import_csv(list_id, raw_bytes):
    """Create a contact per row; return {"created": n, "rejected": [{"line", "values", "message", "fields"}]}."""
    contact_lists.get_list(list_id)
    created, rejected = 0, []
    for line, values, extra in rows(raw_bytes):
        if extra:
            rejected.append({"line": line, "values": values, "message": EXTRA_CELLS, "fields": {}})
            continue
        try:
            contact_lists.create_contact({**contact_data(values), "list_id": str(list_id)})
            created += 1
        except ServiceError as exc:
            rejected.append({"line": line, "values": values, "message": exc.message, "fields": exc.fields})
    return {"created": created, "rejected": rejected}


def rows(raw_bytes):
    """(line number, cells by column, whether it has more cells than columns) for each row of a
    contacts CSV; ServiceError on `file` when the file is not one (not UTF-8 text, binary, no
    phone or mobile column, more than MAX_ROWS rows, or a cell the csv module cannot read)."""
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.", {"file": "Not UTF-8."}) from None
    if "\x00" in text:
        raise ServiceError("The file is not a CSV: it holds binary data.", {"file": "Not text."})
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        if "phone" not in header and "mobile" not in header:
            raise ServiceError("The first line must name the columns, with phone or mobile among them.",
                               {"file": f"Expected columns: {', '.join(COLUMNS)}."})
        reader.fieldnames = header
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise ServiceError(f"At most {MAX_ROWS} rows per file.", {"file": "Too many rows."})
            extra = row.pop(None, None)
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}, bool(extra)
    except csv.Error as exc:
        raise ServiceError("The file cannot be read as CSV.", {"file": f"Line {reader.reader.line_num}: {exc}."}) from None


def contact_data(values):
    """A row's cells as a contact's fields (tags separated by ;)."""
    data = {k: v for k, v in values.items() if k != "tags"}
    data["tags"] = [t for t in values.get("tags", "").split(";") if t.strip()]
    return data


def safe_cell(value):
    """Neutralize text a spreadsheet would run as a formula."""
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_START) and not text[1:].replace(" ", "").isdigit() else text


def export_csv(list_id):
    """The list's contacts as CSV text, one row each, in the same columns an import reads."""
    contact_lists.get_list(list_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    cursor = get_db().contacts.find({"list_id": object_id(list_id)}).sort([("last_name", 1), ("first_name", 1)])
    for doc in cursor:
        writer.writerow([safe_cell(";".join(doc.get("tags", [])) if c == "tags" else doc.get(c, "")) for c in COLUMNS])
    return out.getvalue()
