import pytest


def pytest_configure(config):
    from django.conf import settings

    # Password hashing is not what these tests measure (and setUpTestData runs before fixtures).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Django's test client logs in without a request, which django-axes refuses; the login
    # throttling tests (tests/security/test_login.py) switch it back on with override_settings.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
