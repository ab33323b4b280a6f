"""Dispatch: contact each sampled citizen once, politely (calling hours, pacing, retries)."""
