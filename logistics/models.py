"""Import every area's models so the metadata (and Alembic) sees all tables."""
from logistics.audit.models import AuditEntry  # noqa: F401
from logistics.people.models import (  # noqa: F401
    Application,
    Qualification,
    RecoveryCode,
    User,
    UserLanguage,
    UserQualification,
    UserSession,
)
from logistics.settings import Setting  # noqa: F401
from logistics.shifts.models import (  # noqa: F401
    Activity,
    CoverRequest,
    Place,
    Series,
    Shift,
    ShiftEvent,
    Signup,
)
from logistics.stock.models import (  # noqa: F401
    Balance,
    FormToken,
    Item,
    Kit,
    KitLine,
    Location,
    Lot,
    Movement,
    Outreach,
    ProductGroup,
    Stocktake,
    StocktakeLine,
)
