"""Prevention Atlas analytics: pure Python (never imports streamlit), used by the pages and the CLI."""
