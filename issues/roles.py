"""The editorial roles and what each may do; the data migration and the tests both read this."""

from __future__ import annotations

EDITOR = "编辑"
CHIEF_EDITOR = "主编"

_CONTENT = [
    ("issues", "issue", ("view", "change")),
    ("issues", "section", ("view", "add", "change", "delete")),
    ("articles", "article", ("view", "add", "change", "delete")),
    ("taggit", "tag", ("view", "add", "change")),
    ("communities", "registry", ("view", "change")),
    ("communities", "community", ("view", "add", "change")),
    ("communities", "organization", ("view", "add", "change")),
    ("communities", "leadunit", ("view", "add", "change", "delete")),
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    # (app_label, codename) pairs.
    EDITOR: [(app, f"{action}_{model}") for app, model, actions in _CONTENT for action in actions],
}
ROLE_PERMISSIONS[CHIEF_EDITOR] = [
    *ROLE_PERMISSIONS[EDITOR],
    ("issues", "add_issue"),
    ("issues", "delete_issue"),
    ("issues", "publish_issue"),
    ("articles", "publish_article"),
    ("communities", "delete_community"),
    ("communities", "delete_organization"),
    ("taggit", "delete_tag"),
]
