"""URLs of django-tyntec2fa; include them under any prefix, e.g.
``path("2fa/", include("django_tyntec2fa.urls"))``. Reference: ``docs/urls.md``."""

from django.urls import path

from . import views
from .views.delivery import challenge_delivery

app_name = "tyntec2fa"

urlpatterns = [
    path("challenge/", views.challenge, name="challenge"),
    path("challenge/send/", views.challenge_send, name="challenge-send"),
    path("challenge/cancel/", views.challenge_cancel, name="challenge-cancel"),
    path("challenge/delivery/", challenge_delivery, name="challenge-delivery"),
    path("enroll/", views.enroll, name="enroll"),
    path("enroll/confirm/", views.enroll_confirm, name="enroll-confirm"),
    path("devices/", views.devices, name="devices"),
    path("devices/<int:pk>/primary/", views.device_primary, name="device-primary"),
    path("devices/<int:pk>/remove/", views.device_remove, name="device-remove"),
    path("browsers/<int:pk>/forget/", views.browser_forget, name="browser-forget"),
    path("browsers/forget/", views.browsers_forget, name="browsers-forget"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("step-up/", views.step_up, name="step-up"),
    path("step-up/send/", views.step_up_send, name="step-up-send"),
    path("recover/", views.recover, name="recover"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
]
