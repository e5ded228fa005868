"""World synthesis: the seeded synthetic city a run starts from."""

from edusim.world.synthesis import World, build_world

__all__ = ["World", "build_world"]
