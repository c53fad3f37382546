import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_chinese():
    """The test client's requests leave the language they activated on this thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)
