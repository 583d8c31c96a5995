from django.db import models


class PdfBuild(models.Model):
    """A build of one stored PDF under way: the row is the lock (``printing/claims.py``).

    Not content: a row lives as long as one build, and a backup that caught one restores a claim
    that is simply stale.
    """

    name = models.CharField("文件", max_length=255, primary_key=True)  # in default_storage
    owner = models.CharField("持有者", max_length=32)  # the claim's own token, to release it
    claimed_at = models.DateTimeField("开始时间")  # the database's clock: one for every machine

    class Meta:
        verbose_name = "PDF 生成"
        verbose_name_plural = "PDF 生成"

    def __str__(self) -> str:
        return self.name
