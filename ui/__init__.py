"""The Streamlit app's pieces: where answers come from (`backend`), how text is shown safely
(`text`), and one render function per kind of answer (`views`). `app.py` wires them."""
