"""Two tabs or two devices on one essay or page: a save based on an older version is refused.

The form carries the version it was opened at (`based_on`, a hash of the saved
fields). A save whose version is no longer the essay's is refused with the differences
shown, never silently overwriting; the refused form then carries the current version, so
saving again, having compared, replaces it (the replaced version stays in History).
A request without `based_on` (a script, not the editor) is not checked.
"""

import difflib
import hashlib
from dataclasses import dataclass
from typing import Any

from django import forms

from blog.models import Page, Post, Written

# The fields each form edits: a change to any of them is a new version.
VERSIONED: dict[type[Written], tuple[str, ...]] = {
    Post: ("title", "slug", "date", "status", "external_link", "body"),
    Page: ("title", "slug", "status", "in_navigation", "navigation_order", "body"),
}
# Longest diff shown, in lines: enough to compare, bounded whatever the essays.
MAX_DIFF_LINES = 400

CONFLICT = (
    "This was saved elsewhere (another tab or device) after you opened it, and your "
    "save would replace that version. Nothing was saved: compare the two below. Saving again "
    "replaces it with your text (the other version stays in History)."
)


def version(written: Written) -> str:
    """A short hash of the essay or page as saved: equal versions, equal texts."""
    values = "\0".join(str(getattr(written, name)) for name in VERSIONED[type(written)])
    return hashlib.sha256(values.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Difference:
    field: str
    saved: str
    yours: str

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(kind, line) pairs of a line diff, kind being "add", "del" or "same"."""
        diff = difflib.unified_diff(
            self.saved.splitlines(), self.yours.splitlines(), lineterm="", n=2
        )
        kinds = {"+": "add", "-": "del", " ": "same", "@": "hunk"}
        lines = [(kinds[line[0]], line) for line in diff if not line.startswith(("---", "+++"))]
        if len(lines) > MAX_DIFF_LINES:
            lines = [*lines[:MAX_DIFF_LINES], ("hunk", "… (more differences not shown)")]
        return lines


class BasedOnVersionMixin(forms.ModelForm):
    """Refuse a save based on an older version (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The essay or page as saved now: the version the next save will be based on.
        self.saved_version = version(self.instance) if self.instance.pk else ""
        self.conflict: list[Difference] = []

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        based_on = self.data.get("based_on")
        if self.instance.pk and based_on is not None and based_on != self.saved_version:
            self.conflict = self._differences()
            raise forms.ValidationError(CONFLICT, code="conflict")
        return cleaned

    def _differences(self) -> list[Difference]:
        found = []
        for name in VERSIONED[type(self.instance)]:
            if name not in self.fields:
                continue
            saved = getattr(self.instance, name)
            saved = saved.isoformat() if hasattr(saved, "isoformat") else str(saved)
            yours = str(self.data.get(name, "")).replace("\r\n", "\n")
            if saved != yours:
                found.append(Difference(str(self.fields[name].label or name), saved, yours))
        return found
