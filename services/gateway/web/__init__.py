"""The web wing: the browser pages and static files, the client-id middleware and the
browser security rules (headers, same-origin writes) every answer passes through."""
