"""The numbers: reports built in the browser, pinned to the home page."""
