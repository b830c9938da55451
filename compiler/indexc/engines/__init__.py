"""Engines execute compiled objects on a database; compiling never needs one."""
