"""(being written)"""

from typing import Any

urlpatterns: list[Any] = []
