"""The council acceptance corpus: scorecards built the way councils and NHS trusts build them (issue 16).

Each case is a workbook made by a generator here (``books_*.py``), with its rules and its truth written by
hand in ``cases/<name>/`` (``rules.yaml``, ``truth.json``). ``tests/test_council_corpus.py`` runs every case
through the scorecard command and compares. ``README.md`` lists the cases and what each proves.
"""
