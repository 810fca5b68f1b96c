"""Boundary cases shared by the engine tests and the worksheet-function tests: one table, two front ends."""

# polarity, target, floor, value, decimals, expected RAG
RAG_CASES = [
    ("higher", 85, 75, 90, 1, "Green"),
    ("higher", 85, 75, 85.0, 1, "Green"),
    ("higher", 85, 75, 84.9, 1, "Amber"),
    ("higher", 85, 75, 75.0, 1, "Amber"),
    ("higher", 85, 75, 74.9, 1, "Red"),
    ("higher", 85, 75, 84.95, 1, "Green"),
    ("higher", 85, 75, 84.94, 1, "Amber"),
    ("lower", 15, 18, 15.0, 1, "Green"),
    ("lower", 15, 18, 15.1, 1, "Amber"),
    ("lower", 15, 18, 18.0, 1, "Amber"),
    ("lower", 15, 18, 18.1, 1, "Red"),
    ("higher", None, None, 12, 1, "Not rated"),
    ("higher", 85, 75, None, 1, "No data"),
    ("higher", 85, None, 84, 1, "Red"),
    ("higher", None, 75, 80, 1, "Amber"),
    ("H", 100, 90, 93.9, 1, "Amber"),
    ("L", 10, 12, 11.2, 1, "Amber"),
    ("higher", 85, 75, 84.5, 0, "Green"),
]

# polarity, previous, current, decimals, expected direction
DIRECTION_CASES = [
    ("higher", 46.0, 48.4, 1, "improved"),
    ("higher", 84.3, 84.2, 1, "declined"),
    ("higher", 11.2, 11.2, 1, "same"),
    ("higher", 11.24, 11.16, 1, "same"),
    ("lower", 17.0, 15.8, 1, "improved"),
    ("lower", 15.8, 17.0, 1, "declined"),
    ("higher", None, 80, 1, None),
    ("lower", 80, None, 1, None),
    ("higher", 84.4, 84.2, 0, "same"),
    ("higher", 84.4, 84.6, 0, "improved"),
]
