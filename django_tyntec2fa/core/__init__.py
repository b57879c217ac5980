"""The verification core's state, below the flows and above the abuse defences.

- ``session``: the pending login and the proof of the second factor in the session;
- ``lockout``: the account's failure counter and its waits;
- ``policy``: who must use a second factor (``TYNTEC2FA_REQUIRED``);
- ``audit``: the audit trail.
"""
