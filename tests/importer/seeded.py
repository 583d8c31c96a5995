"""Taking a seed issue away before a test imports it afresh."""

from __future__ import annotations


def delete_issue(**lookup) -> None:
    """Delete the matching issues (and, by cascade, their sections and articles) in one unit of
    content work, as the admin's delete does. Outside a unit every deleted row (each article,
    section and tag link) would be its own unit, running the derived steps and replacing the page
    token once per row: some 2,200 queries for one seed issue instead of about 70."""
    from core.changes import content_change
    from issues.models import Issue

    with content_change():
        Issue.objects.filter(**lookup).delete()
