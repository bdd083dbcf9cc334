"""References, stroke scoring, technique recognition and live feedback."""
