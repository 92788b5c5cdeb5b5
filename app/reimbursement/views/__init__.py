"""Reimbursement screens by topic; thin: load, call a service through perform, render."""
