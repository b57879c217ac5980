"""The JSON API of django-tyntec2fa for single-page and mobile clients.

The only package of the app that imports Django REST framework. Its views are a thin
layer over ``django_tyntec2fa.flows``, like the HTML views: no rule of the second factor
lives here. Include ``django_tyntec2fa.api.urls`` (namespace ``tyntec2fa-api``) under any
prefix; docs/api.md describes the exchanges.
"""
