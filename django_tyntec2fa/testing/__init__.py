"""Test helpers shipped with the app, so projects can test their 2FA flows offline."""
