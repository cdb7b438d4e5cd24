"""Certification URLs: public verification, at /verify/<code>/ (no language prefix, so the URL
printed in a certificate's QR code never changes)."""

from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [path("<str:code>/", views.verify, name="verify")]
