"""The numbers of sections and articles (1, 1.1, 1.1.1)."""

from django.core.validators import RegexValidator

#: ASCII digits joined by single dots. The URLs match only these (core/converters.py), so a number
#: outside it would be a page nobody reaches.
NUMBER_PATTERN = r"[0-9]{1,5}(?:\.[0-9]{1,5}){0,9}"
validate_number = RegexValidator(
    rf"^{NUMBER_PATTERN}\Z", "编号只能由数字和点组成，如 1、1.1 或 1.1.1。"
)
