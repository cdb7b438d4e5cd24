"""Month names as they stand inside a date ("3 желтоқсан 2026", "3 декабря 2026").

Django's own Kazakh catalogue capitalises them ("3 Желтоқсан 2026"), which Kazakh does not do
mid-sentence. Marking Django's msgids here puts them in our catalogues, which come first
(``LOCALE_PATHS``), so our lower-case forms win. Nothing calls this; ``makemessages`` reads it.
"""

from django.utils.translation import pgettext_lazy

MONTHS_IN_A_DATE = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
