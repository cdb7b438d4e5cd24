"""URL configuration.

Language-neutral endpoints (health, admin, documents) sit outside the language prefix; everything
a learner reads is under ``/en/``, ``/ru/`` or ``/kk/``.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from courses.api import serve_page

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("core.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verify/", include("certification.urls")),
    path("xapi/", include("xapi.urls")),
    path("h5p/", include("activities.urls")),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    from django.views.static import serve

    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

urlpatterns += i18n_patterns(
    # Where everyone lands after signing in (LOGIN_REDIRECT_URL): their role's home.
    path("home/", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("learn/quizzes/", include("quizzes.urls")),
    path("learn/certificates/", include("certification.learner_urls")),
    # The course reports of before the dashboard (issue #14): old bookmarks land on it.
    path("learn/reports/", views.old_report, name="old_report_index"),
    path("learn/reports/<int:course_id>/", views.old_report, name="old_report_course"),
    path("learn/", include("learners.urls")),
    path("dashboard/", include("reports.urls")),
    path("help/", include("core.help")),
    # The strings of static/js/ (djangojs catalogue) in the page's language, for gettext() in
    # scripts; only ours (LOCALE_PATHS), not Wagtail's admin ones. docs/architecture.md, Languages.
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["core"]), name="javascript-catalog"),
    # Wagtail's URLs, its page view replaced by one that remembers routes (courses.routing).
    *[pattern for pattern in wagtail_urls.urlpatterns if pattern.name != "wagtail_serve"],
    re_path(wagtail_urls.serve_pattern, serve_page, name="wagtail_serve"),
    prefix_default_language=True,
)

#: A refusal inside the CMS stays the CMS's page; elsewhere Django renders ``403.html``. The 404
#: page is Django's own handler with our ``404.html``; a failure is ``500.html``, or ``503.html``
#: when the database could not be reached.
handler403 = views.permission_denied
handler500 = views.server_error
