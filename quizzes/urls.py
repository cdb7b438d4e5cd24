"""Quiz URLs, under /<language>/learn/quizzes/."""

from django.urls import path

from . import views, views_grading

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/", views.quiz_detail, name="quiz"),
    path("<int:quiz_id>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_view, name="attempt"),
    path("attempts/<int:attempt_id>/autosave/", views.autosave, name="autosave"),
    path("attempts/<int:attempt_id>/summary/", views.summary, name="summary"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/review/", views.review, name="review"),
    path("grading/", views_grading.grading_queue, name="grading_queue"),
    path("grading/<int:attempt_id>/", views_grading.grade_attempt, name="grade_attempt"),
]
