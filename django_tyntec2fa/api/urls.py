"""URLs of the JSON API; include them under any prefix, e.g.
``path("api/", include("django_tyntec2fa.api.urls"))`` (namespace ``tyntec2fa-api``).

While a login is pending, ``SecondFactorMiddleware`` lets through only ``login``,
``logout``, the ``challenge*`` endpoints, ``device-add`` and ``device-confirm`` (the
views that set ``pending_access``); every other endpoint answers 401
``second_factor_required``.
"""

from django.urls import path, re_path

from . import views

app_name = "tyntec2fa-api"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("challenge/", views.ChallengeView.as_view(), name="challenge"),
    path("challenge/send/", views.ChallengeSendView.as_view(), name="challenge-send"),
    path("challenge/resend/", views.ChallengeResendView.as_view(), name="challenge-resend"),
    path("challenge/verify/", views.ChallengeVerifyView.as_view(), name="challenge-verify"),
    path("challenge/cancel/", views.ChallengeCancelView.as_view(), name="challenge-cancel"),
    path("challenge/recover/", views.ChallengeRecoverView.as_view(), name="challenge-recover"),
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/add/", views.DeviceAddView.as_view(), name="device-add"),
    path("devices/confirm/", views.DeviceConfirmView.as_view(), name="device-confirm"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device-detail"),
    path("devices/<int:pk>/primary/", views.DevicePrimaryView.as_view(), name="device-primary"),
    # Any other id (not a number): a JSON 404, not the project's HTML one.
    re_path(r"^devices/[^/]+/(?:primary/)?$", views.UnknownDeviceView.as_view()),
    path("step-up/send/", views.StepUpSendView.as_view(), name="step-up-send"),
    path("trusted-browsers/", views.TrustedBrowserListView.as_view(), name="trusted-browsers"),
    path(
        "trusted-browsers/<int:pk>/",
        views.TrustedBrowserDetailView.as_view(),
        name="trusted-browser-detail",
    ),
    re_path(r"^trusted-browsers/[^/]+/$", views.UnknownTrustedBrowserView.as_view()),
    path("step-up/verify/", views.StepUpVerifyView.as_view(), name="step-up-verify"),
    path("recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery-codes"),
]
