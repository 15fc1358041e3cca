"""Clearstone: the typed Python client for the Clearstone diamond-assurance API.

Everything public is imported from here; the ``_underscore`` modules are private.

Example::

    from clearstone import CertificateView, Clearstone, NotFoundError

    with Clearstone(base_url="http://127.0.0.1:8000") as client:
        try:
            view = client.request("GET", "/v1/certificates/2141438167", cast_to=CertificateView)
        except NotFoundError as exc:
            print(exc)
"""

from clearstone._client import AsyncClearstone, Clearstone
from clearstone._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from clearstone._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClearstoneError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from clearstone._models import (
    Assessment,
    BaseModel,
    CertificateStone,
    CertificateView,
    CheckStatus,
    CriterionFinding,
    CriterionLevel,
    CscResult,
    CscVerdict,
    Decision,
    EvidenceRef,
    FieldError,
    IncidentMatch,
    KpCheck,
    KpResult,
    KpVerdict,
    OriginSummary,
    Page,
    Problem,
    SanctionHit,
    SanctionsResult,
    SanctionsVerdict,
    ScreeningItem,
    ScreeningResult,
    SourceRef,
    SubjectSummary,
)
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._types import NOT_GIVEN, NotGiven, NotGivenOr, Timeout
from clearstone._version import __version__

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Assessment",
    "AsyncClearstone",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "BaseModel",
    "CertificateStone",
    "CertificateView",
    "CheckStatus",
    "Clearstone",
    "ClearstoneError",
    "ConflictError",
    "CriterionFinding",
    "CriterionLevel",
    "CscResult",
    "CscVerdict",
    "Decision",
    "EvidenceRef",
    "FieldError",
    "IncidentMatch",
    "InternalServerError",
    "KpCheck",
    "KpResult",
    "KpVerdict",
    "NotFoundError",
    "NotGiven",
    "NotGivenOr",
    "OriginSummary",
    "Page",
    "PermissionDeniedError",
    "Problem",
    "RateLimitError",
    "SanctionHit",
    "SanctionsResult",
    "SanctionsVerdict",
    "ScreeningItem",
    "ScreeningResult",
    "SourceRef",
    "SubjectSummary",
    "SyncPager",
    "Timeout",
    "UnprocessableEntityError",
    "__version__",
]
