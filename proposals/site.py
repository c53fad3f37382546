"""The site's own address: kept in notifications.site (links that leave the site are its business)."""

from notifications.site import DEVELOPMENT_FALLBACK, SiteURLMiddleware, site_url

__all__ = ["DEVELOPMENT_FALLBACK", "SiteURLMiddleware", "site_url"]
