"""A django-two-factor-auth site whose SMS and call gateway is ``contrib.two_factor``."""
