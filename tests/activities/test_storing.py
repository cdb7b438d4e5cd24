"""Storing packages: libraries once, versions kept for the learners who started them, nothing
stored from a package that fails a rule."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from activities.models import Activity, ActivityAttempt, ActivityVersion, H5PLibrary
from activities.package.validation import PackageInvalid
from activities.services import activity_upload, attempt_version
from tests.factories import UserFactory
from tests.factories.activities import make_activity, myth_source, package_file, scenario_source

pytestmark = pytest.mark.django_db


def _root() -> Path:
    return Path(settings.H5P_ROOT)


def test_a_package_is_unpacked_and_becomes_the_current_version() -> None:
    activity = make_activity()
    version = activity.current_version
    assert version is not None and version.number == 1
    assert version.main_library == "Zhusan.DecisionScenario"
    assert version.library_version == "1.0.0"
    assert version.license == "CC BY-SA"
    assert version.title == "A first conversation"
    folder = _root() / version.storage_folder
    assert (folder / "content.json").is_file()
    assert (_root() / version.package_file).is_file()
    library = H5PLibrary.objects.get(machine_name="Zhusan.DecisionScenario")
    assert (_root() / library.storage_folder / "library.json").is_file()
    assert list(version.libraries.all()) == [library]


def test_a_library_is_stored_once_for_every_activity_that_uses_it() -> None:
    first = make_activity(slug="first")
    second = make_activity(scenario_source("Another case"), slug="second")
    make_activity(myth_source(), slug="myths")
    assert H5PLibrary.objects.filter(machine_name="Zhusan.DecisionScenario").count() == 1
    assert H5PLibrary.objects.count() == 2
    folders = sorted(p.name for p in (_root() / "libraries").iterdir())
    assert folders == ["Zhusan.DecisionScenario-1.0.0", "Zhusan.MythOrFact-1.0.0"]
    assert first.current_version and second.current_version
    assert first.current_version.libraries.get() == second.current_version.libraries.get()


def test_the_same_package_again_adds_no_version(tmp_path: Path) -> None:
    activity = make_activity()
    again = activity_upload(activity=activity, path=package_file(scenario_source(), tmp_path))
    assert again == activity.current_version
    assert ActivityVersion.objects.filter(activity=activity).count() == 1


def test_a_replaced_package_stays_with_learners_who_started_it(tmp_path: Path) -> None:
    activity = make_activity()
    old = activity.current_version
    assert old is not None
    started = UserFactory()
    assert attempt_version(user=started, activity=activity) == old

    new = activity_upload(
        activity=activity, path=package_file(scenario_source("A first conversation, v2"), tmp_path)
    )
    activity.refresh_from_db()
    assert new.number == 2 and activity.current_version == new
    # The learner who started keeps the old version; a newcomer gets the new one.
    assert attempt_version(user=started, activity=activity) == old
    assert attempt_version(user=UserFactory(), activity=activity) == new
    # Both versions' files are kept.
    assert (_root() / old.storage_folder / "content.json").is_file()
    assert (_root() / new.storage_folder / "content.json").is_file()
    # Once the learner completes the old version, their next attempt is on the new one.
    ActivityAttempt.objects.filter(user=started).update(completed_at="2026-12-01T10:00:00Z")
    assert attempt_version(user=started, activity=activity) == new


def test_a_package_that_fails_a_rule_stores_nothing(tmp_path: Path) -> None:
    activity = Activity.objects.create(title="Broken", slug="broken", locale_id=1)
    good = package_file(scenario_source(), tmp_path)
    broken = tmp_path / "broken.h5p"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            if info.filename != "h5p.json":
                target.writestr(info, source.read(info))
    with pytest.raises(PackageInvalid) as raised:
        activity_upload(activity=activity, path=broken)
    assert any(p.path == "h5p.json" for p in raised.value.problems)
    assert not ActivityVersion.objects.exists()
    assert not H5PLibrary.objects.exists()
    assert not (_root() / "content").exists() or not any((_root() / "content").iterdir())
    assert not (_root() / "libraries").exists() or not any((_root() / "libraries").iterdir())
