"""Users, roles, API tokens and login sessions for the API (argon2 password hashes)."""

from dronewatch.auth.accounts import ROLES, Accounts, AuthError, Principal, Role, role_at_least
from dronewatch.auth.ratelimit import LoginLimiter

__all__ = ["ROLES", "Accounts", "AuthError", "LoginLimiter", "Principal", "Role", "role_at_least"]
