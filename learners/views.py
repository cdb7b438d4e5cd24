"""Learner actions: enrol, leave, complete a lesson, see what is left, My learning.

Each view checks who may act (the signed-in learner on their own records), then calls a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.api import AuthenticatedRequest, csv_download
from courses.api import all_courses, course_lessons, course_of_lesson, live_courses, live_lessons

from .completion import course_completion
from .forms import AddMembersForm, AssignCourseForm, CohortForm
from .permissions import can_run_cohorts
from .regions import region_name
from .selectors import (
    cohort_member_detail,
    cohort_members,
    cohort_table,
    cohorts_visible_to,
    course_report,
    my_learning,
    profile_for,
    report_regions,
)
from .services import (
    cohort_add_member,
    cohort_assign_course,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
    profile_save,
)
from .services import cohort_create as cohort_create_service


def _back(request: HttpRequest, fallback: str, field: str = "next") -> HttpResponseRedirect:
    target = request.POST.get(field, "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target)


@login_required
def profile_view(request: AuthenticatedRequest) -> HttpResponse:
    """Complete or change the specialist profile; first thing a practitioner does."""
    from .forms import ProfileForm
    from .middleware import SESSION_KEY

    profile = profile_for(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile_save(user=request.user, **form.cleaned_data)
        request.session[SESSION_KEY] = True
        messages.success(request, _("Your profile is saved."))
        return _back(request, reverse("learners:my_learning"), field="next")
    return render(
        request,
        "learners/profile.html",
        {"form": form, "first_time": profile is None, "next": request.GET.get("next", "")},
    )


@login_required
def my_learning_view(request: AuthenticatedRequest) -> HttpResponse:
    """My learning: the learner's courses with progress and where to continue."""
    entries = my_learning(user=request.user, request=request)
    return render(
        request,
        "learners/my_learning.html",
        {
            "in_progress": [e for e in entries if not e.completion.complete],
            "completed": [e for e in entries if e.completion.complete],
        },
    )


@login_required
@require_POST
def enrol(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(live_courses(), pk=course_id)
    enrollment_create(user=request.user, course=course)
    messages.success(request, _("You are enrolled in “%(course)s”.") % {"course": course.title})
    return _back(request, course.get_url(request) or "/")


@login_required
@require_POST
def leave(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(all_courses(), pk=course_id)
    enrollment_leave(user=request.user, course=course)
    messages.info(
        request,
        _("You left “%(course)s”. Your progress is kept if you come back.")
        % {"course": course.title},
    )
    return _back(request, course.get_url(request) or "/")


@login_required
@require_POST
def complete_lesson(request: AuthenticatedRequest, lesson_id: int) -> HttpResponse:
    """Record the lesson as complete (idempotent) and go on; enrols the learner if needed."""
    lesson = get_object_or_404(live_lessons(), pk=lesson_id)
    course = course_of_lesson(lesson)
    enrollment_create(user=request.user, course=course)
    lesson_progress_complete(user=request.user, lesson=lesson)
    return _back(request, lesson.get_url(request) or "/")


@login_required
def what_is_left(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    """Exactly which items of a course the learner still has to do, and why."""
    course = get_object_or_404(live_courses(), pk=course_id)
    completion = course_completion(user=request.user, course=course)
    lesson_urls = {page.pk: page.get_url(request) for page in course_lessons(course)}
    return render(
        request,
        "learners/what_is_left.html",
        {"course": course, "completion": completion, "lesson_urls": lesson_urls},
    )


# --- trainers: cohorts ---------------------------------------------------------------------------


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    cohorts = cohorts_visible_to(user=request.user).annotate(member_count=Count("memberships"))
    return render(
        request,
        "learners/cohort_list.html",
        {"cohorts": cohorts, "may_create": can_run_cohorts(request.user), "form": CohortForm()},
    )


@login_required
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Cohort progress: members by assigned courses."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    return render(
        request,
        "learners/cohort_table.html",
        {
            "table": cohort_table(cohort=cohort),
            "members_form": AddMembersForm(),
            "assign_form": AssignCourseForm(),
        },
    )


@login_required
def cohort_member(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    """One member's progress in the cohort's courses, with what is missing."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    member = get_object_or_404(cohort_members(cohort=cohort), pk=user_id)
    return render(
        request,
        "learners/cohort_member.html",
        {
            "cohort": cohort,
            "member": member,
            "courses": cohort_member_detail(cohort=cohort, member=member),
        },
    )


CSV_COLUMNS = [
    "name", "email", "specialty", "region", "organisation", "course", "percent", "complete",
    "last_activity", "due_date", "overdue",
]  # fmt: skip


@login_required
def cohort_export(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort table as CSV (UTF-8 with a BOM, so Excel reads Cyrillic names correctly)."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    table = cohort_table(cohort=cohort)
    response, writer = csv_download(f"cohort-{cohort.pk}-progress.csv")
    writer.writerow(CSV_COLUMNS)
    for row in table.rows:
        profile = row.profile
        for assignment, cell in zip(table.assignments, row.cells, strict=True):
            writer.writerow(
                [
                    row.member.get_full_name() or row.member.get_username(),
                    row.member.email,
                    profile.get_specialty_display() if profile else "",
                    profile.region_name if profile else "",
                    profile.organisation if profile else "",
                    assignment.course.title,
                    cell.percent,
                    "yes" if cell.complete else "no",
                    cell.last_activity.isoformat() if cell.last_activity else "",
                    cell.due_date.isoformat() if cell.due_date else "",
                    "yes" if cell.overdue else "no",
                ]
            )
    return response


# --- regional coordinators and the ministry: aggregates ------------------------------------------


def _report_scope(request: HttpRequest) -> frozenset[str]:
    regions = report_regions(user=request.user)
    if regions is None:
        raise PermissionDenied
    return regions


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """Choose a course to report on; shows which regions the reader sees."""
    regions = _report_scope(request)
    return render(
        request,
        "learners/report_index.html",
        {
            "courses": live_courses().order_by("path"),
            "region_names": sorted(region_name(code) for code in regions),
        },
    )


@login_required
def report_course(request: HttpRequest, course_id: int) -> HttpResponse:
    """Counts by region and specialty for one course, as a page or as CSV (``?format=csv``)."""
    regions = _report_scope(request)
    course = get_object_or_404(live_courses(), pk=course_id)
    rows = course_report(course=course, regions=regions)
    if request.GET.get("format") == "csv":
        response, writer = csv_download(f"report-{course.slug}.csv")
        writer.writerow(["region_code", "region", "specialty", "practitioners", "enrolled",
                         "completed"])  # fmt: skip
        for row in rows:
            writer.writerow([row.region, row.region_name, row.specialty_label, row.practitioners,
                             row.enrolled, row.completed])  # fmt: skip
        return response
    totals = {
        "practitioners": sum(r.practitioners for r in rows),
        "enrolled": sum(r.enrolled for r in rows),
        "completed": sum(r.completed for r in rows),
    }
    return render(
        request, "learners/report_course.html", {"course": course, "rows": rows, "totals": totals}
    )


@login_required
@require_POST
def cohort_create(request: AuthenticatedRequest) -> HttpResponse:
    """A trainer starts a cohort; they run it. A name taken, also by a request a moment earlier,
    is refused with a message."""
    if not can_run_cohorts(request.user):
        raise PermissionDenied
    form = CohortForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(form.errors.get("name", [])))
        cohort = cohort_create_service(name=form.cleaned_data["name"], trainer=request.user)
    except ValidationError as refused:
        for error in refused.messages:
            messages.error(request, error)
        return HttpResponseRedirect(reverse("learners:cohort_list"))
    return HttpResponseRedirect(reverse("learners:cohort_detail", args=[cohort.pk]))


@login_required
@require_POST
def cohort_add_members(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    form = AddMembersForm(request.POST)
    if form.is_valid():
        for user in form.cleaned_data["emails"]:
            cohort_add_member(cohort=cohort, user=user)
        count = len(form.cleaned_data["emails"])
        messages.success(request, _("%(n)d member(s) added.") % {"n": count})
    else:
        for error in form.errors.get("emails", []):
            messages.error(request, str(error))
    return HttpResponseRedirect(reverse("learners:cohort_detail", args=[cohort.pk]))


@login_required
@require_POST
def cohort_assign(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    form = AssignCourseForm(request.POST)
    if form.is_valid():
        cohort_assign_course(
            cohort=cohort,
            course=form.cleaned_data["course"],
            due_date=form.cleaned_data["due_date"],
        )
        messages.success(request, _("“%(course)s” is assigned; every member is enrolled.")
                         % {"course": form.cleaned_data["course"].title})  # fmt: skip
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form.fields[field].label}: {error}")
    return HttpResponseRedirect(reverse("learners:cohort_detail", args=[cohort.pk]))
