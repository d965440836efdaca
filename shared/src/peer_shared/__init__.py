"""The peer support platform's shared package."""
