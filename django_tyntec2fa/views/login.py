"""The login page: Django's ``LoginView``, except that a user who owes a second factor
is not logged in by the password step (S1) but answered with the challenge page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .. import flows
from ..choices import Purpose
from ..core import session
from ..exceptions import LimitsUnavailable, RateLimited
from ..flows import trust
from ..gate import redirects

#: The app's sign-in page, for projects without a ``registration/login.html``.
FALLBACK_TEMPLATE = "django_tyntec2fa/login.html"


class LoginView(auth_views.LoginView):
    """``django.contrib.auth.views.LoginView`` with the second factor built in.

    Route it as your ``login`` URL (``docs/installation.md``). For a user with a
    confirmed phone a right password does not call ``auth.login()``: the session
    becomes a pending login, the code goes out, and the answer redirects to the
    challenge page (post/redirect/get). Answering the POST with the page itself would
    save one request, but reloading it, or Back then Forward, would post the password
    again with the CSRF token the password step has just rotated (S3): Django's 403
    page, a dead end for someone whose text message is slow. After the redirect a
    reload is a GET of the code page, which never sends (P5). A user the policy
    requires to enroll is redirected to the enrollment page. ``next`` is kept for
    after the code (checked, S5). Everyone else is logged in exactly as by Django's
    view.

    Django's own ``LoginView`` works too: the ``user_logged_in`` receiver turns its
    login into a pending one and the middleware redirects the browser to the code.

    The page is the project's ``registration/login.html`` (or ``template_name``) when
    it has one, else the app's ``django_tyntec2fa/login.html``, so a new project signs
    in without writing a template first.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The password step, if its limits admit it (``flows.admit_password``): checked
        before the form authenticates, so a refused step never tries the password."""
        try:
            flows.admit_password(request, str(request.POST.get("username", "")))
        except (RateLimited, LimitsUnavailable) as error:
            return self._refused(error)
        return super().post(request, *args, **kwargs)

    def _refused(self, error: RateLimited | LimitsUnavailable) -> HttpResponse:
        """The login page again with the refusal as the form's error, 429 or 503 with
        ``Retry-After``. The form is never cleaned (that would authenticate): its
        errors are set directly, so any template that shows ``form.non_field_errors``
        shows the refusal."""
        form = self.get_form()
        form.cleaned_data = {}
        form._errors = ErrorDict()
        form.add_error(None, str(error.message))
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = error.http_status
        response["Retry-After"] = str(max(int(error.retry_after or 1), 1))
        return response

    def get_template_names(self) -> list[str]:
        """The project's login template first, the app's own page as the fallback."""
        return [*super().get_template_names(), FALLBACK_TEMPLATE]

    def form_valid(self, form: object) -> HttpResponse:
        """Log in, or start the pending login and show its challenge."""
        user = form.get_user()  # type: ignore[attr-defined]
        started = flows.password_login(self.request, user)
        # A trusted browser may have spared the code, or its stale cookie goes (S9).
        return trust.update_cookie(self.request, self._answer(form, started))

    def _answer(self, form: object, started: flows.PasswordStep | None) -> HttpResponse:
        if started is None:
            return super().form_valid(form)  # type: ignore[arg-type]
        next_url = redirects.safe_next(self.request, self.get_redirect_url())
        if next_url:
            session.set_next(self.request, next_url)
        if started.purpose == Purpose.ENROLL:
            return redirects.redirect_with_next(reverse("tyntec2fa:enroll"), next_url)
        return redirect("tyntec2fa:challenge")
