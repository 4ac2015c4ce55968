"""Streamlit-side helpers shared by app.py and the pages (analytics/ stays free of streamlit)."""
