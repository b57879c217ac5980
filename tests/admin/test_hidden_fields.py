"""View-only staff cannot read what the admin does not show through its query string (G3, G4).

The black-box finding (issue 23.5): with only view rights, ``?digest__startswith=<prefix>``
on recovery codes answered "1 result" or "0 results", and 538 requests rebuilt a whole
hash; the same for a trusted browser's ``auth_digest`` and a challenge's
``provider_otp_id``, and ``?o=2`` sorted phones by the full number behind the masked
column. This walks every ModelAdmin the app registers, every field of its model (its
own, the fields behind its relations, the reverse relations) with the usual lookups, and
every column's ``?o=``: a field the list does not show is never a filter and never an
ordering, and a probe gets the same answer whether its prefix matches or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Field, Model
from django.db.models.expressions import OrderBy
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from django_tyntec2fa.abuse.masking import mask_number
from django_tyntec2fa.models import (
    AuditEvent,
    DestinationBlock,
    FailureCounter,
    LocalOtp,
    PhoneDevice,
    RecoveryCode,
    SafeListEntry,
    Scope,
    TrustedBrowser,
)

from .conftest import NUMBER, make_challenge, verified_client

pytestmark = pytest.mark.django_db

#: The usual lookups of a probe; the value is the row's own where it has one.
LOOKUPS = ["", "__exact", "__startswith", "__gt", "__regex", "__isnull", "__in"]
#: Numbers are refused even where the column shows them (test_number_lookups.py, G4).
NUMBERS = {
    PhoneDevice: {"number"},
    DestinationBlock: {"value"},
    SafeListEntry: {"value"},
    AuditEvent: {"number"},
    LocalOtp: {"number"},
}


def registered() -> list[tuple[type[Model], admin.ModelAdmin]]:
    """Every ModelAdmin of the app, as the admin site has them."""
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label == "tyntec2fa"
        ),
        key=lambda pair: pair[0]._meta.model_name,
    )


def shown(model: type[Model], model_admin: admin.ModelAdmin, numbers: bool = False) -> set[str]:
    """What the list shows: columns that are fields, filters, the date hierarchy and
    the primary key (each row's link); a number only with ``numbers`` (a column that
    shows it in full or as stored, masked, may sort, never filter)."""
    names = {model._meta.pk.name, model_admin.date_hierarchy}
    fields = {field.name for field in model._meta.get_fields()}
    names |= {column for column in model_admin.list_display if column in fields}
    for item in model_admin.list_filter:
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, (list, tuple)):
            names.add(item[0])
        else:
            names.add(item.parameter_name)
    names.discard(None)
    return names if numbers else names - NUMBERS.get(model, set())


def hidden_paths(model: type[Model], model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
    """(field path, a row's value or None) of everything the list does not show: the
    model's own fields, the fields behind its relations, its reverse relations."""
    visible = shown(model, model_admin)
    paths: list[tuple[str, Any]] = []
    row = model._default_manager.first()
    for field in model._meta.get_fields():
        name = field.name
        if name not in visible:
            value = getattr(row, field.attname, None) if isinstance(field, Field) else None
            paths.append((name, value))
            if isinstance(field, Field) and field.attname != name:
                paths.append((field.attname, value))
        if field.is_relation and field.related_model is not None:
            related = field.related_model
            paths += [
                (f"{name}__{behind.name}", None)
                for behind in related._meta.get_fields()
                if isinstance(behind, Field) and not behind.primary_key
            ]
    return paths


@pytest.fixture
def viewer(db: None) -> Client:
    """Staff with the app's view permissions and nothing else (not even the users')."""
    user = get_user_model().objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tyntec2fa", codename__startswith="view_"
        )
    )
    return verified_client(user)


@pytest.fixture
def rows(device: PhoneDevice) -> None:
    """One row in each model of the app's admin, its hidden values known."""
    now = timezone.now()
    make_challenge(device, provider_otp_id="otp-5f0c2a9e")
    PhoneDevice.objects.create(user=device.user, number="+4915111111111", label="Home")
    RecoveryCode.objects.create(user=device.user, digest="c3" * 32)
    TrustedBrowser.objects.create(
        user=device.user,
        secret_digest="a1" * 32,
        auth_digest="b2" * 32,
        description="Firefox (Linux)",
        expires_at=now + dt.timedelta(days=30),
    )
    DestinationBlock.objects.create(scope=Scope.PREFIX, value=NUMBER[:-4], until=now)
    SafeListEntry.objects.create(kind=SafeListEntry.Kind.NUMBER, value=NUMBER)
    SafeListEntry.objects.create(kind=SafeListEntry.Kind.NUMBER, value="+4915111111111")
    AuditEvent.objects.create(
        kind=AuditEvent.Kind.FAILED,
        user=device.user,
        number=mask_number(NUMBER),
        user_agent="Firefox",
        detail="wrong code",
    )
    LocalOtp.objects.create(
        number=NUMBER,
        code_hash="d4" * 32,
        pin_length=6,
        max_attempts=3,
        expires=now + dt.timedelta(minutes=5),
        channel="SMS",
        language="en",
    )
    FailureCounter.objects.create(user=device.user, failures=2)


def refused(response: Any) -> bool:
    """Django's answers to a lookup it does not run: 400, or the "?e=1" redirect."""
    if response.status_code == 302:
        return response["Location"].endswith("?e=1")
    return response.status_code == 400


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=lambda value: getattr(value, "__name__", "")
)
def test_no_hidden_field_is_a_filter_g3_g4(
    viewer: Client, rows: None, model: type[Model], model_admin: admin.ModelAdmin
) -> None:
    """G3, G4: every lookup on a field the list does not show is refused, whatever its
    value, and a prefix probe answers a matching prefix as it answers a wrong one."""
    url = changelist(model)
    assert viewer.get(url).status_code == 200
    for path, value in hidden_paths(model, model_admin):
        for lookup in LOOKUPS:
            response = viewer.get(url, {f"{path}{lookup}": str(value or "1")})
            assert refused(response), (model.__name__, path + lookup, response.status_code)
        if isinstance(value, str) and value:
            right = viewer.get(url, {f"{path}__startswith": value[:2]})
            wrong = viewer.get(url, {f"{path}__startswith": "~~"})
            assert (right.status_code, right.content) == (wrong.status_code, wrong.content)


@pytest.mark.parametrize(
    ("model", "model_admin"), registered(), ids=lambda value: getattr(value, "__name__", "")
)
def test_the_list_sorts_by_shown_fields_only_g3_g4(
    viewer: Client, rows: None, model: type[Model], model_admin: admin.ModelAdmin
) -> None:
    """G3, G4: ``?o=`` on any column (and the default order) sorts by shown fields
    only: never by the full number behind a masked column."""
    url = changelist(model)
    visible = shown(model, model_admin, numbers=True) | {"pk"}
    columns = viewer.get(url).context["cl"].list_display
    orders = [""] + [f"{sign}{index}" for index in range(len(columns)) for sign in ("", "-")]
    for order in orders:
        response = viewer.get(url, {"o": order} if order else {})
        assert response.status_code == 200
        for item in response.context["cl"].queryset.query.order_by:
            name = item.expression.name if isinstance(item, OrderBy) else item.lstrip("-")
            name = name if name == "pk" else model._meta.get_field(name).name
            assert name in visible, (model.__name__, f"o={order}", item)


def test_phones_do_not_sort_by_the_full_number_g4(viewer: Client, rows: None) -> None:
    """The finding: ``?o=2`` (the masked number) sorted by the hidden full number; now the
    column is no sort link and both directions give the same list."""
    url = changelist(PhoneDevice)
    column = viewer.get(url).context["cl"].list_display.index("masked_number")
    ups, downs = (viewer.get(url, {"o": f"{sign}{column}"}) for sign in ("", "-"))
    rows_of = [[obj.pk for obj in r.context["cl"].result_list] for r in (ups, downs)]
    assert rows_of[0] == rows_of[1]
    assert "masked_number" not in ups.context["cl"].sortable_by


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (RecoveryCode, "digest__startswith"),
        (TrustedBrowser, "auth_digest__startswith"),
        (TrustedBrowser, "secret_digest__startswith"),
    ],
)
def test_the_finding_a_hash_prefix_walk_learns_nothing_g3(
    viewer: Client, rows: None, model: type[Model], query: str
) -> None:
    """G3: each first character of the hash gets the same 400, so no walk can start."""
    url = changelist(model)
    answers = {(r.status_code, r.content) for r in (viewer.get(url, {query: c}) for c in "0abc")}
    assert len(answers) == 1 and next(iter(answers))[0] == 400


def test_the_filters_shown_still_filter(viewer: Client, rows: None) -> None:
    """The list's own filters, the date hierarchy and a user's rows still work."""
    year = timezone.now().year
    device = PhoneDevice.objects.get(number=NUMBER)
    for model, params in [
        (PhoneDevice, {"confirmed__exact": "1"}),
        (PhoneDevice, {"user__id__exact": str(device.user_id)}),
        (PhoneDevice, {"created_at__year": str(year)}),
        (RecoveryCode, {"used_at__isempty": "1"}),
        (AuditEvent, {"kind__exact": "failed", "channel": "none"}),
        (FailureCounter, {"locked__exact": "0"}),
    ]:
        response = viewer.get(changelist(model), params)
        assert response.status_code == 200, (model.__name__, params)
        assert response.context["cl"].result_count >= 1, (model.__name__, params)


def test_search_by_email_needs_the_right_to_view_users(viewer: Client, rows: None) -> None:
    """The user column shows the username; the e-mail address is searched only for staff
    who may view users (and so read it there): no one else can walk it letter by letter."""
    url = changelist(RecoveryCode)
    assert viewer.get(url, {"q": "alice"}).context["cl"].result_count == 1
    assert viewer.get(url, {"q": "example.org"}).context["cl"].result_count == 0
    user = get_user_model().objects.get(username="viewer")
    user.user_permissions.add(Permission.objects.get(codename="view_user"))
    assert viewer.get(url, {"q": "example.org"}).context["cl"].result_count == 1
