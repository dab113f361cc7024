"""The Content-Security-Policy every page of ours is served with.

No inline scripts or styles anywhere: the widget must work under this policy
on any clinic site that uses a strict CSP, and the console holds health data.
"""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
