"""The editorial roles and what each may do; the data migration and the tests both read this.

编辑 write: they create and edit drafts (issues included), submit them for review, and delete
what is not published. 主编 decide what the public sees: publish, unpublish, delete published
items (the admin checks the status, articles/publishing.py).
"""

from __future__ import annotations

EDITOR = "编辑"
CHIEF_EDITOR = "主编"

_CONTENT = [
    ("issues", "issue", ("view", "add", "change")),
    ("issues", "section", ("view", "add", "change", "delete")),
    ("articles", "article", ("view", "add", "change", "delete")),
    ("articles", "attachment", ("view", "add", "change", "delete")),
    ("taggit", "tag", ("view", "add", "change")),
    ("communities", "registry", ("view", "change")),
    ("communities", "community", ("view", "add", "change")),
    ("communities", "organization", ("view", "add", "change")),
    ("communities", "leadunit", ("view", "add", "change", "delete")),
    ("sources", "sourcedocument", ("view", "add", "change", "delete")),
    ("sources", "candidate", ("view", "change", "delete")),
    # 阅读统计: read only, nobody edits the figures.
    ("readership", "dailycount", ("view",)),
    ("readership", "dailysearch", ("view",)),
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    # (app_label, codename) pairs.
    EDITOR: [(app, f"{action}_{model}") for app, model, actions in _CONTENT for action in actions],
}
ROLE_PERMISSIONS[CHIEF_EDITOR] = [
    *ROLE_PERMISSIONS[EDITOR],
    ("issues", "delete_issue"),
    ("issues", "publish_issue"),
    ("articles", "publish_article"),
    ("communities", "delete_community"),
    ("communities", "delete_organization"),
    ("taggit", "delete_tag"),
]


def display_name(user) -> str:
    """How editors name each other: 刘乐 (family name first, no space) for a Chinese name, the
    full name otherwise, else the user name."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and all("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return last + first
    return user.get_full_name() or user.get_username()


def sync_role_permissions(apps, schema_editor) -> None:
    """Give each role exactly the permissions listed above that exist by now (a migration step).

    Run again by a later migration whenever the list changes, so the groups follow it.
    """
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Permission.objects.none()
        for app_label, codename in perms:
            wanted |= Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(wanted)
