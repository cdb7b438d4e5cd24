"""Corrections to Wagtail's own Russian messages, and Kazakh for them, that our CMS shows.

Wagtail's Russian catalogue glues a few messages to the model's name without a space and in the
feminine ("Эта теств настоящее время ожидает модерации" for a quiz under review). Our catalogue
(``LOCALE_PATHS``) comes before Wagtail's, so a translation of the same message here wins. The
messages are listed with ``gettext_noop`` so that ``makemessages`` keeps them in our catalogue;
nothing imports this module.
"""

from django.utils.translation import gettext_noop

WAGTAIL_MESSAGES = [
    gettext_noop("This %(model_name)s is currently awaiting moderation."),
    gettext_noop(
        "This {model_name} is awaiting <b>'{task_name}'</b> in the <b>'{workflow_name}'</b> "
        "workflow."
    ),
    gettext_noop("No one can make changes while the %(model_name)s is locked"),
    gettext_noop("Only you can make changes while the %(model_name)s is locked"),
    gettext_noop("Only %(user)s can make changes while the %(model_name)s is locked"),
]
