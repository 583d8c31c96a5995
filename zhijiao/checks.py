"""System checks for what the site needs beyond Python packages."""

from __future__ import annotations

from django.core.checks import Warning, register

from printing.fonts import cjk_font_dirs


@register()
def cjk_font_installed(app_configs, **kwargs):
    # PDF export (Typst) needs a CJK font; without one every Chinese character prints as a box.
    if cjk_font_dirs():
        return []
    return [
        Warning(
            "没有找到中文字体（Noto CJK），无法导出 PDF。",
            hint="Install Debian's fonts-noto-cjk: apt-get install fonts-noto-cjk",
            id="zhijiao.W001",
        )
    ]
