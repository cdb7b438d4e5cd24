"""A learner's own certificates, under /<language>/learn/certificates/."""

from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("<int:certificate_id>/certificate.pdf", views.certificate_download, name="pdf"),
]
