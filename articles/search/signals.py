"""Keep the search index current inside the transaction of each change; suggest topic tags
right after the change commits (see article_saved).

Connected from ArticlesConfig.ready(). Every handler says *which* objects changed; indexing.py
reads them fresh and writes their rows. What sends no signal and so must call indexing itself:
QuerySet.update() and bulk_create()/bulk_update() on Article, Community, Organization or LeadUnit
(the registry loader calls ``index_communities`` after its bulk writes).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from taggit.models import Tag, TaggedItem

from articles.models import Article
from articles.search import indexing
from articles.search.models import Kind
from articles.topics import apply_topics
from communities.models import Community, LeadUnit, Organization
from issues.models import Issue, Section

# Saving only these fields changes neither the text nor the headings: no need to match topics.
_NOT_TEXT = {"status", "published_at", "updated_at", "position", "page_start", "page_end"}


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
def article_saved(sender, instance: Article, raw: bool = False, update_fields=None, **kwargs):
    if raw:  # loaddata: related rows may not exist yet; rebuild_search_index afterwards
        return
    indexing.index_articles(ids=[instance.pk])
    if update_fields is None or not set(update_fields) <= _NOT_TEXT:
        # Topic tags are suggested once the save is committed, not during it: the admin form
        # sets the article's tags to what the editor chose *after* saving the article, which
        # would remove suggestions made now. The index follows in that later transaction too
        # (adding tags reindexes the article).
        pk = instance.pk
        transaction.on_commit(lambda: _suggest_topics(pk), robust=True)


def _suggest_topics(pk: int) -> None:
    with transaction.atomic():
        article = Article.objects.filter(pk=pk).first()
        if article is not None:
            apply_topics(article=article)


@receiver(post_delete, sender=Article, dispatch_uid="search_article_deleted")
def article_deleted(sender, instance: Article, **kwargs):
    indexing.remove(kind=Kind.ARTICLE, ids=[instance.pk])


@receiver(m2m_changed, sender=TaggedItem, dispatch_uid="search_article_tags_changed")
def article_tags_changed(sender, instance, action: str, reverse: bool, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if isinstance(instance, Article):
        indexing.index_articles(ids=[instance.pk])


def _tagged_article_ids(tag: Tag) -> list[int]:
    return list(Article.objects.filter(tags=tag).values_list("pk", flat=True))


@receiver(post_save, sender=Tag, dispatch_uid="search_tag_saved")
def tag_saved(sender, instance: Tag, created: bool, raw: bool = False, **kwargs):
    if not created and not raw:  # a renamed tag changes the articles that carry it
        indexing.index_articles(ids=_tagged_article_ids(instance))


@receiver(pre_delete, sender=Tag, dispatch_uid="search_tag_deleting")
def tag_deleting(sender, instance: Tag, **kwargs):
    # The tagged items go with the tag; remember whose they were.
    instance._search_article_ids = _tagged_article_ids(instance)


@receiver(post_delete, sender=Tag, dispatch_uid="search_tag_deleted")
def tag_deleted(sender, instance: Tag, **kwargs):
    indexing.index_articles(ids=getattr(instance, "_search_article_ids", []))


@receiver(post_save, sender=Issue, dispatch_uid="search_issue_saved")
def issue_saved(sender, instance: Issue, created: bool, raw: bool = False, **kwargs):
    # Publishing, unpublishing or rescheduling an issue changes whether its articles are visible.
    if not created and not raw:
        indexing.index_articles(ids=instance.articles.values_list("pk", flat=True))


@receiver(post_save, sender=Section, dispatch_uid="search_section_saved")
def section_saved(sender, instance: Section, created: bool, raw: bool = False, **kwargs):
    if not created and not raw:  # the section's title is a facet and part of each location
        indexing.index_articles(ids=instance.articles.values_list("pk", flat=True))


@receiver(post_save, sender=Community, dispatch_uid="search_community_saved")
def community_saved(sender, instance: Community, raw: bool = False, **kwargs):
    if not raw:
        indexing.index_community_ids(ids=[instance.pk])


@receiver(post_delete, sender=Community, dispatch_uid="search_community_deleted")
def community_deleted(sender, instance: Community, **kwargs):
    indexing.remove(kind=Kind.COMMUNITY, ids=[instance.pk])


@receiver(post_save, sender=Organization, dispatch_uid="search_organization_saved")
def organization_saved(sender, instance: Organization, raw: bool = False, **kwargs):
    if raw:
        return
    indexing.index_organizations(ids=[instance.pk])
    # Its name is one of the lead units of the communities it leads.
    indexing.index_community_ids(ids=instance.communities.values_list("pk", flat=True))


@receiver(post_delete, sender=Organization, dispatch_uid="search_organization_deleted")
def organization_deleted(sender, instance: Organization, **kwargs):
    indexing.remove(kind=Kind.ORGANIZATION, ids=[instance.pk])


@receiver(post_save, sender=LeadUnit, dispatch_uid="search_leadunit_saved")
@receiver(post_delete, sender=LeadUnit, dispatch_uid="search_leadunit_deleted")
def lead_unit_changed(sender, instance: LeadUnit, raw: bool = False, **kwargs):
    if raw:
        return
    indexing.index_community_ids(ids=[instance.community_id])
    indexing.index_organizations(ids=[instance.organization_id])
