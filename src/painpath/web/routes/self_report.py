"""Pages: the patient's self-report, and the clinician's side that issues its one-time links.

The patient's side is public in the routing sense: the link's token is the authority, and it
reaches nothing but these pages.

- ``GET /r/{token}`` (the link, or its QR code) ends any clinician's session in this browser
  (a signed-in tablet handed to a patient must not stay signed in), checks the token, puts it
  in the ``painpath_self_report`` cookie (HttpOnly, SameSite=Strict, Secure when configured,
  Path=/self-report, so no other page ever receives it) and sends the browser to
  ``/self-report``: the token leaves the address bar and the history.
- ``GET /self-report`` shows the questionnaire in the link's language (or the one chosen);
  ``POST /self-report`` stores the answers once, or shows the form again with each problem at
  its question. Forms carry a CSRF value derived from the token by HMAC: only a page served
  with the cookie has it. After sending, the cookie is cleared and a thank-you page follows.
- An unknown, expired, used or withdrawn link gets a page that says so (404 or 410), in the
  link's language, and shows nothing of the patient: no name, MRN or birth date appears on
  any of these pages.

The clinician's side: ``POST /patients/{id}/self-report-links`` (from the chart) issues a link
and shows it once, as a URL and a QR code; ``POST .../{link_id}/revoke`` withdraws one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import Depends, Form, Request, Response, status
from fastapi.responses import RedirectResponse

from painpath.api.routing import PUBLIC, needs
from painpath.api.security import MAX_TOKEN_LENGTH, SESSION_COOKIE, clear_session_cookies
from painpath.domain.accounts import Principal
from painpath.domain.records import Language
from painpath.domain.self_report import LinkState
from painpath.knowledge_base.instrument_pack import NO_PACK, InstrumentPack, OdiText
from painpath.services import self_report
from painpath.services.errors import InvalidInputError
from painpath.services.permissions import Action, permits
from painpath.services.self_report import (
    AnswerProblem,
    InvalidAnswerError,
    OpenedLink,
    SelfReportLinkError,
)
from painpath.services.sessions import sign_out
from painpath.web.i18n import LANGUAGE_NAMES, LANGUAGES, as_language, translations
from painpath.web.pages import render
from painpath.web.qr import qr_data_url
from painpath.web.routing import PageRouter
from painpath.web.security import PageSessionDep, current_session, settings_of, store_of
from painpath.web.self_report_form import (
    NRS_QUESTION,
    PEG_QUESTIONS,
    PROBLEM_MESSAGES,
    SCALE,
    problem_summary,
    read_answers,
)

router = PageRouter()

LINK_PREFIX = "/r/"
PAGE_PATH = "/self-report"
DONE_PATH = "/self-report/done"
COOKIE = "painpath_self_report"
CSRF_FIELD = "csrf_token"
_CSRF_PURPOSE = b"painpath self-report form"
# What the chart offers; the service takes anything from 1 hour to 7 days.
VALIDITY_CHOICES: tuple[tuple[str, str], ...] = (
    ("1", "1 hour"),
    ("4", "4 hours"),
    ("24", "24 hours"),
    ("72", "3 days"),
    ("168", "7 days"),
)
DEFAULT_VALIDITY_HOURS = "24"
ENGLISH_NAMES: dict[Language, str] = {"en": "English", "hi": "Hindi", "te": "Telugu"}
# "27 Nov 2026, 14:30", with the month named in the reader's language.
MOMENT_FORMAT = "d MMM y, HH:mm"
GONE_STATES = frozenset({LinkState.EXPIRED, LinkState.SUBMITTED, LinkState.REVOKED})


# --- The patient's side --------------------------------------------------------------------


def csrf_value(token: str) -> str:
    """The form's CSRF value for a link: an HMAC keyed by its token, which only the cookie
    holds, so another site can neither read nor make it."""
    return hmac.new(token.encode("utf-8"), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


def _end_clinician_session(request: Request) -> bool:
    """Sign out whoever is signed in in this browser; whether their cookies are to be cleared."""
    if SESSION_COOKIE not in request.cookies:
        return False
    session = current_session(request)
    if session is not None:
        sign_out(store_of(request).unit_of_work(), by=session.principal)
    request.state.painpath_session = None  # pages rendered from here on see nobody
    return True


def _forget_clinician(request: Request, response: Response, *, ended: bool) -> Response:
    if ended:
        clear_session_cookies(response, settings_of(request))
    return response


def _clear_link_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        COOKIE,
        path=PAGE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).secure_cookies,
    )


def _language(*choices: str | None) -> Language:
    """The first of ``choices`` that is a language the pages speak, else English."""
    for choice in choices:
        language = as_language(choice)
        if language is not None:
            return language
    return "en"


def _closed_page(
    request: Request, *, reason: str, language: Language, status_code: int, forget: bool = True
) -> Response:
    """Why the questionnaire is not shown; the link's cookie is cleared unless the link may
    still work (``forget`` False)."""
    context = {"reason": reason, "language": language, "languages": _languages()}
    response = render(
        request, "self_report_closed.html", context, status_code=status_code, language=language
    )
    if forget:
        _clear_link_cookie(request, response)
    return response


def _refusal(request: Request, error: SelfReportLinkError, *, language: str | None) -> Response:
    state = error.state
    reason = state.value if state in GONE_STATES else "unknown"
    status_code = status.HTTP_410_GONE if state in GONE_STATES else status.HTTP_404_NOT_FOUND
    chosen = _language(language, error.language)
    return _closed_page(request, reason=reason, language=chosen, status_code=status_code)


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]


@router.get(LINK_PREFIX + "{token}", openapi_extra=PUBLIC)
def open_link(request: Request, token: str) -> Response:
    """The link itself: end any clinician session here, keep the token in the cookie, and go
    on to the questionnaire."""
    ended = _end_clinician_session(request)
    try:
        opened = self_report.open_link(store_of(request).unit_of_work(), token)
    except SelfReportLinkError as error:
        response = _refusal(request, error, language=None)
    else:
        response = RedirectResponse(PAGE_PATH, status_code=status.HTTP_303_SEE_OTHER)
        lasts = int((opened.expires_at - datetime.now(opened.expires_at.tzinfo)).total_seconds())
        response.set_cookie(
            COOKIE,
            token,
            max_age=max(lasts, 1),
            httponly=True,
            samesite="strict",
            secure=settings_of(request).secure_cookies,
            path=PAGE_PATH,
        )
    return _forget_clinician(request, response, ended=ended)


def _token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE)
    return token if token and len(token) <= MAX_TOKEN_LENGTH else None


def _pack(request: Request) -> InstrumentPack:
    pack: InstrumentPack = getattr(request.app.state, "instrument_pack", NO_PACK)
    return pack


def _expiry(moment: datetime, language: Language) -> str:
    # The clinic's local time (the server is where the clinic is), in the reader's language.
    return format_datetime(moment.astimezone(), format=MOMENT_FORMAT, locale=language)


def _form_page(
    request: Request,
    *,
    token: str,
    opened: OpenedLink,
    language: Language,
    values: Mapping[str, str],
    errors: Mapping[str, str] | None = None,
    status_code: int = status.HTTP_200_OK,
) -> Response:
    odi: OdiText | None = _pack(request).odi_in(language)
    gettext = translations(language).gettext
    context: dict[str, Any] = {
        "language": language,
        "languages": _languages(),
        "clinic_name": opened.clinic_name,
        "expires": _expiry(opened.expires_at, language),
        "self_report_csrf": csrf_value(token),
        "values": values,
        "errors": dict(errors or {}),
        "summary": problem_summary(errors or {}, gettext),
        "nrs_question": NRS_QUESTION,
        "peg_questions": PEG_QUESTIONS,
        "scale": SCALE,
        "odi": odi,
        "odi_in_english": odi is not None and language not in _pack(request).odi,
    }
    return render(request, "self_report.html", context, status_code=status_code, language=language)


def _missing_page(request: Request, language: str | None) -> Response:
    # A browser may hold the cookie and still not send it here: SameSite=Strict keeps it back
    # when the link was opened from another site's page (a webmail, say). A tap on this page
    # is a same-site navigation, which sends it, so the page offers one.
    return _closed_page(request, reason="missing", language=_language(language), status_code=404)


@router.get(PAGE_PATH, openapi_extra=PUBLIC)
def questionnaire(request: Request, lang: str | None = None) -> Response:
    ended = _end_clinician_session(request)
    token = _token(request)
    if token is None:
        return _forget_clinician(request, _missing_page(request, lang), ended=ended)
    try:
        opened = self_report.open_link(store_of(request).unit_of_work(), token)
    except SelfReportLinkError as error:
        return _forget_clinician(request, _refusal(request, error, language=lang), ended=ended)
    language = _language(lang, opened.language)
    response = _form_page(request, token=token, opened=opened, language=language, values={})
    return _forget_clinician(request, response, ended=ended)


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def _messages(problems: Mapping[str, AnswerProblem], language: Language) -> dict[str, str]:
    gettext = translations(language).gettext
    return {field: gettext(PROBLEM_MESSAGES[problem]) for field, problem in problems.items()}


@router.post(PAGE_PATH, openapi_extra=PUBLIC)
def send_answers(request: Request, values: Posted) -> Response:
    """Store the answers once; or, for a language switch or a problem, show the form again
    with what was filled in."""
    token = _token(request)
    language = _language(values.get("language"), values.get("lang"))
    if token is None:
        return _missing_page(request, language)
    if not hmac.compare_digest(values.get(CSRF_FIELD, ""), csrf_value(token)):
        return _closed_page(
            request, reason="form_expired", language=language, status_code=403, forget=False
        )
    store = store_of(request)
    try:
        opened = self_report.open_link(store.unit_of_work(), token)
    except SelfReportLinkError as error:
        return _refusal(request, error, language=language)
    if values.get("language"):  # the language switch: nothing is sent
        return _form_page(request, token=token, opened=opened, language=language, values=values)
    odi_shown = _pack(request).odi_in(language) is not None
    answers, problems = read_answers(values, odi_shown=odi_shown)
    if not problems:
        try:
            self_report.submit(store.unit_of_work(), token, answers)
        except SelfReportLinkError as error:
            return _refusal(request, error, language=language)
        except InvalidAnswerError as error:
            problems = {error.field: error.problem}
        else:
            response = RedirectResponse(
                f"{DONE_PATH}?lang={language}", status_code=status.HTTP_303_SEE_OTHER
            )
            _clear_link_cookie(request, response)
            return response
    return _form_page(
        request,
        token=token,
        opened=opened,
        language=language,
        values=values,
        errors=_messages(problems, language),
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


@router.get(DONE_PATH, openapi_extra=PUBLIC)
def thanks(request: Request, lang: str | None = None) -> Response:
    language = _language(lang)
    context = {"language": language, "languages": _languages()}
    response = render(request, "self_report_done.html", context, language=language)
    _clear_link_cookie(request, response)
    return response


# --- The clinician's side ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRow:
    """A link as the chart lists it: never its token, which is not kept."""

    id: int
    language: str
    issued: str
    expires: str
    submitted: str | None
    state: LinkState


@dataclass(frozen=True)
class SelfReportPanel:
    """The chart's self-report panel: the form to issue a link, and the latest links."""

    patient_id: int
    language: Language
    languages: tuple[tuple[str, str], ...]
    validity: tuple[tuple[str, str], ...]
    default_validity: str
    links: tuple[LinkRow, ...]
    revoked: bool
    odi_available: bool


def self_report_panel(
    request: Request, principal: Principal, *, patient_id: int, preferred: str
) -> SelfReportPanel | None:
    """The panel for a user who may issue links (None for others)."""
    if not permits(principal.role, Action.SELF_REPORT_INVITE):
        return None
    links = self_report.list_links(
        store_of(request).unit_of_work(), principal, patient_id=patient_id
    )
    now = datetime.now(UTC)
    rows = tuple(
        LinkRow(
            id=link.id,
            language=LANGUAGE_NAMES[link.language],
            issued=_expiry(link.issued_at, "en"),
            expires=_expiry(link.expires_at, "en"),
            submitted=_expiry(link.submitted_at, "en") if link.submitted_at else None,
            state=link.state(now),
        )
        for link in links
    )
    return SelfReportPanel(
        patient_id=patient_id,
        language=_language(preferred),
        languages=tuple((code, f"{ENGLISH_NAMES[code]}") for code in LANGUAGES),
        validity=VALIDITY_CHOICES,
        default_validity=DEFAULT_VALIDITY_HOURS,
        links=rows,
        revoked=request.query_params.get("revoked") is not None,
        odi_available=bool(_pack(request).odi),
    )


def link_url(request: Request, token: str) -> str:
    """The link as the patient opens it: this site's address, then ``/r/<token>``."""
    return str(request.base_url).rstrip("/") + LINK_PREFIX + token


@router.post(
    "/patients/{patient_id}/self-report-links", openapi_extra=needs(Action.SELF_REPORT_INVITE)
)
def issue_link(
    request: Request,
    session: PageSessionDep,
    patient_id: int,
    *,
    language: Annotated[str, Form(max_length=8)] = "",
    valid_for_hours: Annotated[str, Form(max_length=8)] = DEFAULT_VALIDITY_HOURS,
) -> Response:
    """Issue a link and show it once, with its QR code; it is not shown again."""
    hours = valid_for_hours.strip()
    if not hours.isdecimal():
        raise InvalidInputError("valid_for_hours", "give a whole number of hours, 1 to 168")
    try:
        issued = self_report.invite(
            store_of(request).unit_of_work(),
            session.principal,
            patient_id=patient_id,
            language=language or None,
            valid_for=timedelta(hours=int(hours)),
        )
    except InvalidInputError as error:
        if error.field == "valid_for":
            raise InvalidInputError("valid_for_hours", error.message) from None
        raise
    url = link_url(request, issued.token)
    context = {
        "patient_id": patient_id,
        "url": url,
        "qr": qr_data_url(url),
        "link": issued.link,
        "language_name": ENGLISH_NAMES[issued.link.language],
        "expires": _expiry(issued.link.expires_at, "en"),
    }
    return render(request, "patients/self_report_link.html", context)


@router.post(
    "/patients/{patient_id}/self-report-links/{link_id}/revoke",
    openapi_extra=needs(Action.SELF_REPORT_INVITE),
)
def revoke_link(
    request: Request, session: PageSessionDep, patient_id: int, link_id: int
) -> Response:
    self_report.revoke(
        store_of(request).unit_of_work(), session.principal, patient_id=patient_id, link_id=link_id
    )
    return RedirectResponse(
        f"/patients/{patient_id}?revoked={link_id}#self-report",
        status_code=status.HTTP_303_SEE_OTHER,
    )
