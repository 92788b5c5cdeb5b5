"""The one error a domain service raises when it refuses an action."""


class DomainError(Exception):
    """A refused action: the message is for the user, field names the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field

    @property
    def message(self):
        """Return the text shown to the user."""
        return str(self)


class FieldErrors(DomainError):
    """Several refusals found at once, each shown beside its own field."""

    def __init__(self, errors):
        self.errors = list(errors)  # [(field, message), ...]
        field, message = self.errors[0]
        super().__init__(message, field)
