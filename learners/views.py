"""Learner actions: enrol, leave, complete a lesson, see what is left, My learning.

Each view checks who may act (the signed-in learner on their own records), then calls a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import invitation_state_of, invitation_valid_days
from core.api import AuthenticatedRequest, csv_download, enqueue_on_commit, shared_reads
from courses.api import (
    ModulePage,
    all_courses,
    course_lessons,
    course_of_lesson,
    in_active_language,
    live_courses,
    live_lessons,
    live_modules,
    remember_site,
    require_page_viewable,
)

from .completion import course_completion
from .forms import AddMembersForm, AssignCourseForm, CohortForm
from .invitations import cohort_invitations_send
from .models import Cohort
from .panels import JUST_COMPLETED
from .permissions import can_resend_invitations, can_run_cohorts
from .selectors import (
    cohort_member_detail,
    cohort_members,
    cohort_table,
    cohorts_visible_to,
    my_learning,
    profile_for,
)
from .services import (
    CohortAdditions,
    cohort_add_addresses,
    cohort_assign_course,
    enrollment_create,
    enrollment_leave,
    lesson_progress_complete,
    profile_save,
)
from .services import cohort_create as cohort_create_service
from .services import cohort_join as cohort_join_service
from .tasks import send_cohort_join_invitations


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
    """My learning: the learner's courses, in progress, not started and completed, with where to
    continue."""
    remember_site(request)  # the site its links are made for, without a query
    # The course cards and the panels (certification's "working towards") read the learner's
    # enrolments and records once between them.
    with shared_reads():
        entries = my_learning(user=request.user, request=request)
        return render(
            request,
            "learners/my_learning.html",
            {
                "entries": entries,
                "in_progress": [e for e in entries if e.state == "in_progress"],
                "not_started": [e for e in entries if e.state == "not_started"],
                "completed": [e for e in entries if e.state == "completed"],
            },
        )


@login_required
@require_POST
def enrol(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(live_courses(), pk=course_id)
    require_page_viewable(request, course)  # Wagtail's page privacy, as on every learning action
    enrollment_create(user=request.user, course=course)
    messages.success(request, _("You are enrolled in “%(course)s”.") % {"course": course.title})
    return _back(request, course.get_url(request) or "/")


@login_required
@require_POST
def leave(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(all_courses(), pk=course_id)
    require_page_viewable(request, course)  # Wagtail's page privacy, as on every learning action
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
    """Record the lesson as complete (idempotent) and go on (back to the lesson's progress panel,
    or where ``next`` says); enrols the learner if needed."""
    lesson = get_object_or_404(live_lessons(), pk=lesson_id)
    require_page_viewable(request, lesson)  # a restriction on the lesson or any ancestor
    course = course_of_lesson(lesson)
    enrollment_create(user=request.user, course=course)
    lesson_progress_complete(user=request.user, lesson=lesson)
    # The lesson page that follows confirms it in its progress panel, where the learner is
    # (#progress); static/js/lesson.js fetches that page and shows the panel in place.
    request.session[JUST_COMPLETED] = lesson.pk
    return _back(request, (lesson.get_url(request) or "/") + "#progress")


@login_required
def what_is_left(request: AuthenticatedRequest, course_id: int) -> HttpResponse:
    """Exactly which items of a course the learner still has to do, and why."""
    course = get_object_or_404(live_courses(), pk=course_id)
    require_page_viewable(request, course)
    completion = course_completion(user=request.user, course=course)
    # The course is counted on its identity (``courses.translations``) and shown in the reader's
    # language: titles and links of its translation, where there is one.
    lessons = in_active_language(course_lessons(course))
    modules: dict[int, ModulePage] = in_active_language(
        live_modules().child_of(course).select_related("locale")
    )
    return render(
        request,
        "learners/what_is_left.html",
        {
            "course": in_active_language([course])[course.pk],
            "completion": completion,
            "lesson_urls": {pk: page.get_url(request) for pk, page in lessons.items()},
            "lesson_titles": {pk: page.title for pk, page in lessons.items()},
            "module_titles": {pk: page.title for pk, page in modules.items()},
        },
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


#: Addresses a trainer typed that could not be used, kept for the form after the redirect.
LEFTOVER_SESSION_KEY = "learners_cohort_add_leftover"


@login_required
def cohort_detail(request: AuthenticatedRequest, cohort_id: int) -> HttpResponse:
    """Cohort progress: members by assigned courses, and who has not signed in yet."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    table = cohort_table(cohort=cohort)
    leftover = request.session.pop(LEFTOVER_SESSION_KEY, {}).get(str(cohort.pk), "")
    waiting = [row.member for row in table.rows if row.member.last_login is None]
    return render(
        request,
        "learners/cohort_table.html",
        {
            "table": table,
            "members_form": AddMembersForm(initial={"emails": leftover}),
            "assign_form": AssignCourseForm(),
            "not_signed_in": [(member, invitation_state_of(member)) for member in waiting],
            "may_invite": bool(waiting) and can_resend_invitations(request.user),
            "invitation_days": invitation_valid_days(),
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


#: Column headers of the exports, in the reader's language (the English ones are the names the
#: exports always had, kept for the spreadsheets already built on them).
CSV_COLUMNS = [
    pgettext_lazy("CSV column", "name"),
    pgettext_lazy("CSV column", "email"),
    pgettext_lazy("CSV column", "specialty"),
    pgettext_lazy("CSV column", "region"),
    pgettext_lazy("CSV column", "organisation"),
    pgettext_lazy("CSV column", "course"),
    pgettext_lazy("CSV column", "percent"),
    pgettext_lazy("CSV column", "complete"),
    pgettext_lazy("CSV column", "last_activity"),
    pgettext_lazy("CSV column", "due_date"),
    pgettext_lazy("CSV column", "overdue"),
]


@login_required
def cohort_export(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The cohort table as CSV (UTF-8 with a BOM, so Excel reads Cyrillic names correctly)."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    table = cohort_table(cohort=cohort)
    response, writer = csv_download(f"cohort-{cohort.pk}-progress.csv")
    writer.writerow([str(column) for column in CSV_COLUMNS])
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
                    cell.last_activity or "",  # local time, to the second (csv_download)
                    cell.due_date or "",
                    "yes" if cell.overdue else "no",
                ]
            )
    return response


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
def cohort_add_members(request: AuthenticatedRequest, cohort_id: int) -> HttpResponse:
    """Invite people by address (``services.cohort_add_addresses``: only practitioners, only
    through invitations); the message names the lines that are not addresses (they stay in the
    form, to correct) and never tells whether an address has an account."""
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    form = AddMembersForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("emails", []):
            messages.error(request, str(error))
        return HttpResponseRedirect(reverse("learners:cohort_detail", args=[cohort.pk]))
    result = cohort_add_addresses(
        cohort=cohort,
        addresses=form.cleaned_data["emails"],
        by=request.user,
        language=get_language(),
    )
    if result.join_invitations:  # recorded with the rest; the sweep sends them if this is lost
        enqueue_on_commit(send_cohort_join_invitations, result.join_invitations)
    _report_additions(request, result)
    if result.invalid:
        request.session[LEFTOVER_SESSION_KEY] = {str(cohort.pk): "\n".join(result.invalid)}
    return HttpResponseRedirect(reverse("learners:cohort_detail", args=[cohort.pk]))


def _report_additions(request: HttpRequest, result: CohortAdditions) -> None:
    """One plain message per group of addresses. Known and unknown addresses get the same
    words: whether an address has an account, and whose, is not the trainer's to learn."""

    def listed(emails: list[str]) -> dict[str, object]:
        return {"n": len(emails), "emails": ", ".join(emails)}

    if result.accepted:
        messages.success(request, ngettext(
            "%(n)d address taken: %(emails)s. An invitation is on its way if the person may join "
            "a cohort.",
            "%(n)d addresses taken: %(emails)s. An invitation is on its way to each person who "
            "may join a cohort.",
            len(result.accepted)) % listed(result.accepted))  # fmt: skip
    if result.already:
        messages.info(request, ngettext(
            "%(n)d was a member already: %(emails)s.", "%(n)d were members already: %(emails)s.",
            len(result.already)) % listed(result.already))  # fmt: skip
    if result.invalid:
        messages.error(request, ngettext(
            "%(n)d line is not an email address, so nobody was added for it: %(emails)s. "
            "Correct it in the form and add it again.",
            "%(n)d lines are not email addresses, so nobody was added for them: %(emails)s. "
            "Correct them in the form and add them again.",
            len(result.invalid)) % listed(result.invalid))  # fmt: skip


@login_required
def cohort_join(request: AuthenticatedRequest, token: str) -> HttpResponse:
    """The page a join invitation links to: which cohort, who runs it and what they will see;
    joining is the POST. Only the account the link was sent to, a practitioner, may use it;
    anyone else (and a forged or expired link) gets a 404."""
    from .cohort_joining import join_token_read
    from .selectors import practitioners

    named = join_token_read(token)
    if named is None or named[1] != request.user.pk:
        raise Http404
    if not practitioners().filter(pk=request.user.pk).exists():
        raise Http404
    cohort = get_object_or_404(Cohort, pk=named[0])
    if request.method == "POST":
        cohort_join_service(cohort=cohort, user=request.user)
        messages.success(request, _("You joined “%(cohort)s”.") % {"cohort": cohort.name})
        return HttpResponseRedirect(reverse("learners:my_learning"))
    trainers = [t.get_full_name() or t.get_username() for t in cohort.trainers.all()]
    return render(
        request,
        "learners/cohort_join.html",
        {
            "cohort": cohort,
            "trainers": ", ".join(trainers),
            "member": cohort.memberships.filter(user=request.user).exists(),
        },
    )


@login_required
@require_POST
def cohort_invite(
    request: AuthenticatedRequest, cohort_id: int, user_id: int | None = None
) -> HttpResponse:
    """Send the invitation again: to one member (``user_id``), or to every member who has not
    signed in yet."""
    if not can_resend_invitations(request.user):
        raise PermissionDenied
    cohort = get_object_or_404(cohorts_visible_to(user=request.user), pk=cohort_id)
    back = HttpResponseRedirect(
        reverse("learners:cohort_detail", args=[cohort.pk]) + "#not-signed-in"
    )
    if user_id is not None:
        member = get_object_or_404(cohort_members(cohort=cohort), pk=user_id)
        name = member.get_full_name() or member.email
        if cohort_invitations_send(cohort=cohort, by=request.user, user_id=member.pk):
            messages.success(
                request, _("A new invitation is on its way to %(name)s.") % {"name": name}
            )
        else:
            messages.info(request, _("%(name)s has signed in already, or has no email address: "
                                     "no invitation was sent.") % {"name": name})  # fmt: skip
        return back
    count = len(cohort_invitations_send(cohort=cohort, by=request.user))
    if count:
        messages.success(request, ngettext(
            "A new invitation is on its way to %(n)d member who has not signed in yet.",
            "New invitations are on their way to %(n)d members who have not signed in yet.",
            count) % {"n": count})  # fmt: skip
    else:
        messages.info(request, _("Every member has signed in already: no invitation was sent."))
    return back


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
