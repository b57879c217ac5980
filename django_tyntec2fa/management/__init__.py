"""Management commands of django-tyntec2fa."""
