"""The error every reimbursement service raises, with a message for the user."""


class ReimbursementError(Exception):
    """A refused action; the message is shown to the user, field names the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field
