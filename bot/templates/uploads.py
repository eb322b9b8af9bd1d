"""Templates files admins upload: checked, kept until their admin publishes or discards them, then published."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.app import App
from bot.storage.templates import PendingUpload
from bot.templates.library import Version
from bot.templates.publishing import PublishRefused, Vetting, publish, vet
from bot.templates.schema import version_of

__all__ = ["PendingUpload", "Published", "Staged", "discard_upload", "kept_upload", "publish_upload", "stage_upload"]


@dataclass(frozen=True)
class Staged:
    """What checking an upload found: the live version again, problems, or a file kept for Publish or Discard."""

    kind: Literal["same", "problems", "kept"]
    vetting: Vetting | None = None  # what the check found, unless the file is the live version
    digest: str = ""  # names the kept file, so buttons shown for an older upload cannot act on it


@dataclass(frozen=True)
class Published:
    """What Publish did: published, kept again against a version published meanwhile, or refused after all."""

    kind: Literal["published", "rebased", "refused"]
    vetting: Vetting  # the check just made, against what is live now
    version: Version | None = None  # the new live version, when published
    digest: str = ""  # names the file kept again, when rebased


async def stage_upload(svc: App, user_id: int, text: str, name: str, note: str) -> Staged:
    """Check an admin's uploaded templates text; keep it for their Publish or Discard when it may go live."""
    if version_of(text) == svc.engine.templates.version:
        return Staged("same")
    vetting = await vet(svc, text, name)
    if not vetting.ok:
        return Staged("problems", vetting)
    svc.store.keep_template_upload(user_id, PendingUpload(text, name, note, svc.engine.templates.version))
    return Staged("kept", vetting, version_of(text))


def kept_upload(svc: App, user_id: int, digest: str) -> PendingUpload | Literal["nothing", "replaced"]:
    """Return the admin's kept upload the buttons name, or why there is none: nothing is kept, or a newer upload is."""
    pending = svc.store.template_upload(user_id)
    if pending is None:
        return "nothing"
    return pending if version_of(pending.text) == digest else "replaced"


async def publish_upload(svc: App, user_id: int, author_name: str, pending: PendingUpload) -> Published:
    """Publish the admin's kept upload after checking it again.

    When another version went live since the admin saw the changes, the upload is kept against that one instead,
    for the admin to look at the changes again.
    """
    vetting = await vet(svc, pending.text, pending.name)
    live = svc.engine.templates.version
    if pending.base != live and vetting.ok:
        svc.store.keep_template_upload(user_id, replace(pending, base=live))
        return Published("rebased", vetting, digest=version_of(pending.text))
    svc.store.drop_template_upload(user_id)
    try:
        version = await publish(svc, vetting, "upload", user_id, author_name, pending.note)
    except PublishRefused:
        return Published("refused", vetting)
    return Published("published", vetting, version)


def discard_upload(svc: App, user_id: int, digest: str) -> bool:
    """Forget the admin's kept upload; False when the buttons name an older one than is kept (that one stays)."""
    pending = svc.store.template_upload(user_id)
    if pending is not None and version_of(pending.text) != digest:
        return False
    svc.store.drop_template_upload(user_id)
    return True
