"""gateway: the browser edge. Pages, the public JSON API and frame leases."""
