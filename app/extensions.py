"""Flask extensions, created unbound and attached in create_app.

Flask-Migrate (Alembic, about 10 MB) is attached by create_app itself, only where the
`flask db` commands may run: not in the job consumer."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.core.models import Base

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
