"""Activity URLs, outside the language prefix: ``/h5p/…`` (docs/h5p.md)."""

from django.urls import path, re_path

from . import views

app_name = "activities"

urlpatterns = [
    path("launch/<int:activity_id>/", views.launch, name="launch"),
    path("embed/<int:version_id>/", views.embed, name="embed"),
    re_path(
        r"^content/(?P<version_id>\d+)/(?P<path>(?:h5p\.json|content/[^?#]+))$",
        views.content_file,
        name="content_file",
    ),
    re_path(
        r"^libraries/(?P<folder>[A-Za-z0-9_.]+-\d+\.\d+)/(?P<path>[^?#]+)$",
        views.library_file,
        name="library_file",
    ),
]
