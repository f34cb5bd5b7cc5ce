from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from projects.forms.accounts import LoginForm, PasswordChangeForm
from projects.views.accounts import health, login_not_required
from projects.views.audit import media

# Error pages in the user's language, inside the site's layout (projects/views/errors.py).
handler400 = "projects.views.errors.bad_request"
handler403 = "projects.views.errors.permission_denied"
handler404 = "projects.views.errors.page_not_found"
handler500 = "projects.views.errors.server_error"

urlpatterns = [
    # The short allow-list of pages without login: login, health check, language switch.
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("healthz", health, name="health"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    # Uploads, access-checked (never served as static files): projects/views/audit.py.
    path("media/<path:path>", media, name="media"),
    path("", include("projects.urls")),
]
