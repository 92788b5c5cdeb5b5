"""The audit trail's text search: record, changes and reason for every reader, as the box says;
what patients typed stays unsearchable for readers who may not see it; the Excel holds what
the search found."""

import io

from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from app.audit.models import AuditEntry


def test_an_admin_finds_entries_by_the_record_they_name(client, db, login_as, make):
    first = make.trial(protocol_code="FIND-ME-001")
    make.trial(protocol_code="OTHER-002")
    make.site(first)
    db.session.commit()
    named = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        func.lower(AuditEntry.entity_label + " " + func.coalesce(AuditEntry.changes, ""))
        .contains("find-me-001")))
    assert named >= 1
    login_as("admin")  # no permission to see patients' identity
    page = client.get("/audit/", query_string={"q": "find-me"},
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "FIND-ME-001" in page and "OTHER-002" not in page
    export = client.get("/audit/export.xlsx", query_string={"q": "find-me"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.data)).get_sheet_by_index(0) \
        .to_python()
    assert len(rows) - 1 == named
    assert all("FIND-ME-001" in " ".join(str(cell) for cell in row) for row in rows[1:])
