"""Local runtime: the real handlers against moto on loopback."""
