"""Reimbursement business rules by topic; they flush, never commit."""
