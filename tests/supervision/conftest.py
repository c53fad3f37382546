import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    # The dashboard's figures are cached by filter; every test builds its own data.
    cache.clear()
    yield
    cache.clear()
