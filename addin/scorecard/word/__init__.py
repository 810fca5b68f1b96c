"""The Word side: the committee's cover report as a .docx, from the evaluated scorecard."""
