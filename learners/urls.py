"""Learner URLs, under /<language>/learn/."""

from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("", views.my_learning_view, name="my_learning"),
    path("profile/", views.profile_view, name="profile"),
    path("courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("courses/<int:course_id>/leave/", views.leave, name="leave"),
    path("courses/<int:course_id>/what-is-left/", views.what_is_left, name="what_is_left"),
    path("lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/join/<str:token>/", views.cohort_join, name="cohort_join"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:cohort_id>/members/", views.cohort_add_members, name="cohort_add_members"),
    path("cohorts/<int:cohort_id>/invitations/", views.cohort_invite, name="cohort_invite_all"),
    path(
        "cohorts/<int:cohort_id>/members/<int:user_id>/invitation/",
        views.cohort_invite,
        name="cohort_invite",
    ),
    path("cohorts/<int:cohort_id>/courses/", views.cohort_assign, name="cohort_assign"),
    path("cohorts/<int:cohort_id>/export.csv", views.cohort_export, name="cohort_export"),
    path(
        "cohorts/<int:cohort_id>/members/<int:user_id>/",
        views.cohort_member,
        name="cohort_member",
    ),
]
