"""Store an uploaded H5P package as a new version of an activity.

The package is validated completely before anything is written (``activities.package``). Then,
in one transaction: the libraries it brings that are new (or a newer patch) are unpacked into
their own folders and recorded, the content is unpacked into the version's folder, and the
version becomes the activity's current one. Files are unpacked into a temporary folder next to
their final place and renamed into it, so a failure leaves nothing half-written; a failure after
the rename removes what this upload added.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from .models import Activity, ActivityVersion, H5PLibrary
from .package.validation import (
    InstalledLibrary,
    LibraryRef,
    PackageLibrary,
    ValidatedPackage,
    extract_package,
    validate_package,
)

__all__ = ["file_sha256", "h5p_root", "package_store"]


def h5p_root() -> Path:
    return Path(settings.H5P_ROOT)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _installed(ref: LibraryRef) -> InstalledLibrary | None:
    row = (
        H5PLibrary.objects.filter(machine_name=ref.machine_name, major=ref.major, minor=ref.minor)
        .only("patch", "digest")
        .first()
    )
    return None if row is None else InstalledLibrary(ref=ref, patch=row.patch, digest=row.digest)


def _to_install(package: ValidatedPackage) -> list[PackageLibrary]:
    """The package's libraries that are not installed, or are a newer patch than installed."""
    wanted = []
    for library in package.libraries:
        installed = _installed(library.ref)
        if installed is None or library.patch > installed.patch:
            wanted.append(library)
    return wanted


def package_store(
    *, activity: Activity, path: Path, user: User | None = None, language: str = ""
) -> ActivityVersion:
    """Validate the package at ``path`` and store it as ``activity``'s new current version.

    Raises ``PackageInvalid`` (nothing stored) when a rule fails. Uploading the package that is
    already current changes nothing and returns the current version.
    """
    sha256 = file_sha256(path)
    current = activity.current_version
    if current is not None and current.sha256 == sha256:
        return current
    package = validate_package(path, installed=_installed)
    root = h5p_root()
    added: list[Path] = []
    try:
        with transaction.atomic():
            installing = _to_install(package)
            library_dirs: dict[LibraryRef, Path] = {}
            for library in installing:
                final = root / _library_folder(library)
                if not final.exists():
                    library_dirs[library.ref] = final
            number = (
                ActivityVersion.objects.filter(activity=activity)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            ) + 1
            version = ActivityVersion.objects.create(
                activity=activity,
                number=number,
                title=package.title[:255],
                main_library=package.main_library.machine_name,
                library_version=_main_version(package),
                license=package.license[:64],
                language=language or str(package.h5p.get("language", ""))[:10],
                h5p_json=package.h5p,
                sha256=sha256,
                size=path.stat().st_size,
                uploaded_by=user,
            )
            content_final = root / version.storage_folder
            with tempfile.TemporaryDirectory(dir=_ensure(root)) as scratch:
                scratch_path = Path(scratch)
                staged_content = scratch_path / "content"
                staged_libraries = {
                    ref: scratch_path / "libraries" / final.name
                    for ref, final in library_dirs.items()
                }
                extract_package(
                    path,
                    package,
                    content_dir=staged_content,
                    library_dirs=staged_libraries,
                )
                content_final.parent.mkdir(parents=True, exist_ok=True)
                if content_final.exists():  # left by a failed upload whose row was rolled back
                    shutil.rmtree(content_final)
                staged_content.rename(content_final)
                added.append(content_final)
                for ref, final in library_dirs.items():
                    final.parent.mkdir(parents=True, exist_ok=True)
                    staged_libraries[ref].rename(final)
                    added.append(final)
                kept = root / version.package_file
                kept.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, kept)
                added.append(kept)
            for library in installing:
                H5PLibrary.objects.update_or_create(
                    machine_name=library.ref.machine_name,
                    major=library.ref.major,
                    minor=library.ref.minor,
                    defaults={
                        "patch": library.patch,
                        "title": library.title[:255],
                        "license": str(library.library_json.get("license", ""))[:64],
                        "digest": library.digest,
                        "library_json": library.library_json,
                    },
                )
            needed = H5PLibrary.objects.none()
            for ref in package.needed:
                needed |= H5PLibrary.objects.filter(
                    machine_name=ref.machine_name, major=ref.major, minor=ref.minor
                )
            version.libraries.set(needed)
            activity.current_version = version
            if not activity.title:
                activity.title = version.title
            activity.save()
    except BaseException:
        for folder in added:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
        raise
    return version


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _library_folder(library: PackageLibrary) -> str:
    ref = library.ref
    return f"libraries/{ref.machine_name}-{ref.major}.{ref.minor}.{library.patch}"


def _main_version(package: ValidatedPackage) -> str:
    ref = package.main_library
    for library in package.libraries:
        if library.ref == ref:
            return f"{ref.major}.{ref.minor}.{library.patch}"
    installed = _installed(ref)
    patch = installed.patch if installed else 0
    return f"{ref.major}.{ref.minor}.{patch}"
