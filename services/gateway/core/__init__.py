"""The gateway's core wing: what every other wing reads and may import.

The showcase (imported videos, their clips and slots, moderation's reviews, cached with
a last good answer), the paths the browser finds things at, the cookies, the page
layout, the one client for calls to the other services, and the pure rules shared by
the wings (rate limits, the last-good cache).
"""
